// The booth page (ADR 0303). The vote code typed here stays in this closure: it is
// normalised (errors shown before any derivation thanks to the check character), turned
// into the Belenios credential, and only the derived public credentials are sent to the
// authority; ballots are encrypted, proved and signed here (window.UrneBelenios) and posted
// to the cast endpoint. Nothing is kept in storage; leaving the page forgets the code.
(function () {
  'use strict';
  const B = window.UrneBelenios;
  const $ = (id) => document.getElementById(id);
  const read = (id) => JSON.parse($(id).textContent);
  const scrutins = read('booth-scrutins');
  const config = read('booth-config');
  const T = read('booth-texts');
  const lang = (document.documentElement.lang || 'fr').slice(0, 2) === 'en' ? 'en' : 'fr';
  const csrf = document.querySelector('#code-form input[name=csrfmiddlewaretoken]').value;
  let credential = null; // the Belenios credential string, in memory only
  let confirmed = new Set();
  let current = null; // the scrutin being voted
  let choice = null; // {index, label}
  // A ballot sent without a definitive answer (connection cut, server unavailable), by
  // scrutin: confirming the same choice again sends the same ballot, which the server
  // records once and answers with the same receipt; a new ballot would be refused as a
  // second vote if the first one went in.
  const unanswered = new Map(); // uuid -> {index, ballot}
  const RETRY = new Set(['unavailable', 'in_progress', 'rate_limited']);

  const steps = ['step-code', 'step-scrutins', 'step-ballot', 'step-confirm', 'step-receipt'];
  function show(step, focusId) {
    for (const s of steps) $(s).hidden = s !== step;
    hideAlert();
    const target = $(focusId);
    if (target) target.focus();
  }
  function alertMessage(text) {
    const box = $('booth-alert');
    box.textContent = text;
    box.hidden = false;
    box.focus && box.setAttribute('tabindex', '-1');
    box.focus();
  }
  function hideAlert() {
    $('booth-alert').hidden = true;
    $('booth-alert').textContent = '';
  }
  function status(text) {
    $('booth-status').textContent = text;
  }
  async function postJson(url, body) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    return { status: response.status, data };
  }

  // -- code entry ---------------------------------------------------------------------------
  // In the 2018 style the code is called the voter identifier (seed 001).
  function wording(text) {
    if (config.style !== '2018') return text;
    return text.replace(/un code de vote/g, 'un identifiant électeur').replace(/a vote code/g, 'a voter identifier')
      .replace(/votre avis/g, 'votre notice').replace(/your notice/g, 'your voting notice');
  }
  const codeInput = $('vote-code');
  function codeError(text) {
    const err = $('vote-code-error');
    err.textContent = text;
    err.hidden = !text;
    $('code-field').classList.toggle('field--error', !!text);
    if (text) codeInput.setAttribute('aria-invalid', 'true'); else codeInput.removeAttribute('aria-invalid');
  }
  function refreshCaptcha(data) {
    if (!data.captcha_image) return;
    const img = document.querySelector('#captcha-box img');
    if (img) img.src = data.captcha_image;
    const audio = document.querySelector('#captcha-box a.captcha__audio');
    if (audio && data.captcha_audio) audio.href = data.captcha_audio;
    const field = document.querySelector('#captcha-box input[name=captcha]');
    if (field) field.value = '';
  }
  $('code-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    hideAlert();
    const typed = codeInput.value;
    if (!typed.trim()) { codeError(T.code_required); codeInput.focus(); return; }
    const normal = B.normaliseVoteCode(typed);
    if (!normal.ok) { codeError(wording(normal.messages[lang])); codeInput.focus(); return; }
    codeError('');
    const password = $('vote-password');
    if (password && !password.value) { alertMessage(T.password_required); password.focus(); return; }
    const captcha = document.querySelector('#captcha-box input[name=captcha]');
    const button = $('code-submit');
    button.disabled = true;
    status(T.checking);
    try {
      const cred = B.credentialOfVoteCode(normal.code);
      const uuids = scrutins.filter((s) => s.election).map((s) => s.uuid);
      const credentials = {};
      for (const uuid of uuids) credentials[uuid] = B.publicCredential(uuid, cred);
      const { data } = await postJson(config.confirm, {
        credentials,
        captcha: captcha ? captcha.value : '',
        password: password ? password.value : '',
      });
      if (!data.ok) {
        refreshCaptcha(data);
        if (data.code === 'wrong_code' || data.code === 'revoked') {
          codeError(data.message);
          codeInput.focus();
        } else {
          alertMessage(data.message || T.network);
        }
        return;
      }
      credential = cred;
      confirmed = new Set(data.confirmed);
      codeInput.value = '';
      if (password) password.value = '';
      status(T.accepted);
      renderScrutins();
      show('step-scrutins', 'scrutins-title');
    } catch (e) {
      alertMessage(T.network);
    } finally {
      button.disabled = false;
    }
  });

  // -- scrutins -----------------------------------------------------------------------------
  function renderScrutins() {
    const list = $('scrutin-list');
    list.textContent = '';
    let left = 0;
    for (const s of scrutins) {
      const li = document.createElement('li');
      li.className = 'card';
      const h = document.createElement('h3');
      h.textContent = s.label;
      li.appendChild(h);
      const badge = document.createElement('p');
      badge.className = 'badge' + (s.state === 'todo' ? ' badge--open' : '');
      const ready = s.election && confirmed.has(s.uuid);
      badge.textContent = s.state !== 'todo' ? T[s.state] : (ready ? T.todo : T.not_ready);
      li.appendChild(badge);
      if (s.state === 'todo' && ready) {
        left += 1;
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'button';
        b.textContent = T.vote;
        b.setAttribute('aria-label', `${T.vote} : ${s.label}`);
        b.addEventListener('click', () => openBallot(s));
        li.appendChild(b);
      }
      if (s.tracker) {
        const p = document.createElement('p');
        const a = document.createElement('a');
        a.href = `${s.board}?q=${encodeURIComponent(s.tracker)}`;
        a.textContent = s.tracker;
        p.appendChild(a);
        li.appendChild(p);
      }
      list.appendChild(li);
    }
    if (!left) {
      const li = document.createElement('li');
      li.textContent = T.all_voted;
      list.appendChild(li);
    }
  }

  // -- ballot -------------------------------------------------------------------------------
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function unionsText(l) {
    return l.unions.map((u) => (u.name && u.name !== u.acronym ? `${u.name} (${u.acronym})` : u.acronym)).join(', ');
  }
  // One list as the paper ballot shows it: its name and the unions presenting it (the whole
  // label is the target), then, outside the label (they are controls of their own), its
  // candidates and its profession de foi.
  function ballotOption(o) {
    const box = el('div', o.index === 0 ? 'ballot-option ballot-option--blank' : 'ballot-option');
    const input = el('input');
    input.type = 'radio';
    input.name = 'choice';
    input.id = `choice-${o.index}`;
    input.value = String(o.index);
    const label = el('label', 'ballot-option__label');
    label.htmlFor = input.id;
    const name = el('span', 'ballot-option__name', o.label);
    name.id = `choice-${o.index}-name`;
    // The radio's name is the list's alone; the unions describe it.
    input.setAttribute('aria-labelledby', name.id);
    label.appendChild(name);
    const unions = o.list ? unionsText(o.list) : '';
    if (unions) {
      const by = el('span', 'ballot-option__unions', `${T.presented_by} ${unions}`);
      by.id = `choice-${o.index}-unions`;
      input.setAttribute('aria-describedby', by.id);
      label.appendChild(by);
    } else if (o.index === 0) {
      const help = el('span', 'ballot-option__unions', T.blank_help);
      help.id = 'choice-0-help';
      input.setAttribute('aria-describedby', help.id);
      label.appendChild(help);
    }
    box.append(input, label);
    if (o.list && o.list.candidates.length) {
      const details = el('details', 'ballot-option__candidates');
      details.appendChild(el('summary', '', T.candidates.replace('{n}', String(o.list.candidates.length))));
      const ol = el('ol');
      for (const name of o.list.candidates) ol.appendChild(el('li', '', name));
      details.appendChild(ol);
      box.appendChild(details);
    }
    if (o.list && o.list.pdf) {
      const a = el('a', 'ballot-option__pdf', `${o.label} – ${T.pdf}`);
      a.href = o.list.pdf;
      a.target = '_blank';
      a.rel = 'noopener';
      box.appendChild(a);
    }
    return box;
  }
  function openBallot(s) {
    current = s;
    choice = null;
    $('ballot-title').textContent = s.label;
    const box = $('ballot-choices');
    box.textContent = '';
    s.lists.forEach((l, i) => box.appendChild(ballotOption({ index: i + 1, label: l.label, list: l })));
    // The blank vote is set apart from the lists, as on paper.
    box.appendChild(el('p', 'ballot-or', T.or));
    box.appendChild(ballotOption({ index: 0, label: T.blank, list: null }));
    $('ballot-error').hidden = true;
    show('step-ballot', 'ballot-title');
  }
  $('ballot-back').addEventListener('click', () => { renderScrutins(); show('step-scrutins', 'scrutins-title'); });
  $('ballot-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const picked = document.querySelector('#ballot-choices input[name=choice]:checked');
    if (!picked) {
      $('ballot-error').hidden = false;
      const first = document.querySelector('#ballot-choices input');
      if (first) first.focus();
      return;
    }
    const index = Number(picked.value);
    const list = index === 0 ? null : current.lists[index - 1];
    choice = { index, label: list ? list.label : T.blank };
    $('confirm-scrutin').textContent = `${T.scrutin} ${current.label}`;
    $('confirm-choice').textContent = `${T.chosen} ${choice.label}`;
    // The confirmation repeats the whole choice: the list's unions too.
    $('confirm-unions').textContent = list && list.unions.length ? `${T.presented_by} ${unionsText(list)}` : '';
    $('confirm-unions').hidden = !$('confirm-unions').textContent;
    $('confirm-vote').disabled = false;
    show('step-confirm', 'confirm-title');
  });
  // Back from a scrutin found voted meanwhile (another tab) goes to the list, not its ballot.
  $('confirm-back').addEventListener('click', () => {
    if (current.state === 'voted') {
      renderScrutins();
      show('step-scrutins', 'scrutins-title');
    } else {
      openBallot(current);
    }
  });

  // -- cast ---------------------------------------------------------------------------------
  $('confirm-vote').addEventListener('click', async () => {
    const button = $('confirm-vote');
    button.disabled = true;
    // A final refusal (already voted, closed, replaced code…) leaves the button disabled:
    // pressing it again could only be refused again.
    let final = false;
    status(T.encrypting);
    try {
      const kept = unanswered.get(current.uuid);
      let ballot;
      if (kept && kept.index === choice.index) {
        ballot = kept.ballot;
      } else {
        const size = current.lists.length + 1; // the blank slot comes first
        const vector = new Array(size).fill(0);
        vector[choice.index] = 1;
        ballot = B.createBallot(current.election, B.deriveSecret(current.uuid, credential), [vector]);
      }
      unanswered.set(current.uuid, { index: choice.index, ballot });
      const { data } = await postJson(config.cast, { scrutin: current.uuid, ballot });
      if (!data.tracker) {
        if (!RETRY.has(data.code) && data.code) {
          unanswered.delete(current.uuid);
          final = true;
        }
        if (data.code === 'already_voted') current.state = 'voted';
        alertMessage(data.message || T.network);
        return;
      }
      unanswered.delete(current.uuid);
      current.state = 'voted';
      current.tracker = data.tracker;
      $('receipt-scrutin').textContent = current.label;
      $('receipt-time').textContent = new Date().toLocaleString(lang === 'en' ? 'en-GB' : 'fr-FR', { timeZone: 'Europe/Paris' });
      $('receipt-tracker').textContent = data.tracker;
      if (data.message) $('receipt-message').textContent = data.message;
      $('receipt-board').href = `${current.board}?q=${encodeURIComponent(data.tracker)}`;
      $('receipt-page').href = data.receipt_url;
      show('step-receipt', 'receipt-title');
    } catch (e) {
      alertMessage(unanswered.has(current.uuid) ? T.cast_network : T.network);
    } finally {
      button.disabled = final;
    }
  });
  $('receipt-print').addEventListener('click', () => window.print());
  $('receipt-next').addEventListener('click', () => { renderScrutins(); show('step-scrutins', 'scrutins-title'); });
}());
