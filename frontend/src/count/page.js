// The count page's "in this browser" section (count/count.html): the holder opens their key
// file(s) here; the page fetches each counting scrutin's published archive, recomputes its
// encrypted tally from the ballots and refuses if it differs from the tally the server
// serves; then it makes every partial decryption and puts the one file in the page's upload
// form, which sends it (the server checks every proof). The key never leaves the page.

import { loads } from '../belenios/json.js';
import { checkScrutin, decryptAll, HolderError, readSecret } from './holder.js';

const $ = (id) => document.getElementById(id);

let T = {};
const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => values[k] ?? '');

function say(text, isError = false) {
  const status = $('count-status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

async function fileText(input) {
  const file = input?.files?.[0];
  return file ? file.text() : null;
}

async function run(data) {
  const keyText = await fileText($('count-key'));
  if (!keyText) throw new HolderError('no_key_file');
  say(T.reading_key);
  const secret = await readSecret(keyText, await fileText($('count-dkey')), $('count-passphrase').value);
  const checked = [];
  for (const [i, s] of data.scrutins.entries()) {
    say(fill(T.checking, { n: i + 1, total: data.scrutins.length, name: s.name }));
    const response = await fetch(s.archive, { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) throw new HolderError('archive_unreadable', `HTTP ${response.status}`, s.name);
    const archive = new Uint8Array(await response.arrayBuffer());
    checked.push(checkScrutin({ uuid: s.uuid, name: s.name, archive, tally: s.tally }));
  }
  say(fill(T.decrypting, { total: checked.length }));
  const bundle = decryptAll(checked, secret);
  const input = $('id_file');
  const transfer = new DataTransfer();
  transfer.items.add(new File([bundle], 'dechiffrements.json', { type: 'application/json' }));
  input.files = transfer.files;
  say(fill(T.sending, { total: checked.length }));
  $('upload-form').submit();
}

function message(exc) {
  if (exc instanceof HolderError && T[exc.code]) {
    return fill(T[exc.code], { name: exc.scrutin, detail: exc.detail });
  }
  return fill(T.failed, { detail: exc.message });
}

export function start() {
  const section = $('in-browser');
  if (!section || !globalThis.crypto?.subtle || typeof DataTransfer === 'undefined') return;
  const data = loads($('count-data').textContent);
  T = loads($('count-texts').textContent);
  if (!data.scrutins.length) return;
  section.hidden = false;
  const button = $('count-decrypt');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await run(data);
    } catch (exc) {
      say(message(exc), true);
      button.disabled = false;
    }
  });
}
