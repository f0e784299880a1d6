// The holder's step page (bureau/ceremony_holder.html): makes the keys in this browser,
// saves the private file to the holder's device (wrapped under a passphrase if one is
// given), and fills in the public data the form sends. Nothing private leaves the page: the
// form carries only the public key, certificate, polynomial or voutput.

import { dumps, loads } from '../belenios/json.js';
import { isWrapped, unwrap, wrap } from './keywrap.js';
import {
  certId, generateSingleKey, privkeyFile, singleKeyId, step1, step3, step5,
} from './keys.js';

const $ = (id) => document.getElementById(id);

// The page's sentences, translated by the server (`ceremony-texts`); `%s` is filled in.
let T = {};
const fill = (text, value) => text.replace('%s', value);

function say(text, isError = false) {
  const status = $('ceremony-status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

let savedUrl = null;

/** Offer `text` as the file `name` (wrapped when a passphrase is given), and keep a link. */
async function save(name, text) {
  const passphrase = $('wrap-passphrase')?.value ?? '';
  let fileName = name;
  let body = text;
  if (passphrase) {
    say(T.wrapping);
    body = (await wrap(text, passphrase, name)) + '\n';
    fileName = name + '.wrapped';
  }
  if (savedUrl) URL.revokeObjectURL(savedUrl);
  savedUrl = URL.createObjectURL(new Blob([body], { type: 'application/octet-stream' }));
  const link = $('saved-link');
  link.href = savedUrl;
  link.download = fileName;
  $('saved-again').hidden = false;
  link.click();
  return fileName;
}

async function readSeed() {
  const file = $('key-file').files[0];
  if (!file) throw new Error(T.no_key_file);
  let text = await file.text();
  if (isWrapped(text)) {
    say(T.unwrapping);
    text = (await unwrap(text, $('key-passphrase').value)).text;
  }
  const seed = text.trim();
  if (!/^[1-9A-HJ-NP-Za-km-z]{22}$/.test(seed)) throw new Error(T.not_key_file);
  return seed;
}

function ready(publicText, message) {
  $('id_public').value = publicText;
  $('send').disabled = false;
  say(message);
  $('send').focus();
}

async function run(data, due) {
  if (due === 'key') {
    const { privateKey, publicKey } = generateSingleKey();
    const name = await save(`${singleKeyId(publicKey)}.privkey`, privkeyFile(privateKey));
    ready(dumps(publicKey), fill(T.key_done, name));
  } else if (due === 'cert') {
    const { seed, cert } = step1({ index: data.position, threshold: data.threshold, size: data.size });
    const name = await save(`${certId(cert)}.key`, seed + '\n');
    ready(dumps(cert), fill(T.cert_done, name));
  } else if (due === 'polynomial') {
    const seed = await readSeed();
    say(T.polynomial_working);
    ready(dumps(await step3(data.certs, seed)), T.polynomial_done);
  } else if (due === 'voutput') {
    const seed = await readSeed();
    say(T.voutput_working);
    const voutput = await step5(data.certs, seed, data.vinput);
    const cert = data.certs[data.position - 1];
    const name = await save(`${certId(cert)}.dkey`, voutput.private_key + '\n');
    ready(dumps(voutput), fill(T.voutput_done, name));
  }
}

export function start() {
  const section = $('in-browser');
  if (!section || !globalThis.crypto?.subtle) return;
  const data = loads($('ceremony-data').textContent);
  T = loads($('ceremony-texts').textContent);
  const due = section.dataset.due;
  section.hidden = false;
  $('make').addEventListener('click', async () => {
    $('make').disabled = true;
    try {
      await run(data, due);
    } catch (exc) {
      say(fill(T.failed, exc.message), true);
      $('make').disabled = false;
    }
  });
}
