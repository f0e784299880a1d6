// A holder's private file wrapped under a passphrase (ADR 0721), byte for byte as
// src/urne/crypto/keywrap.py writes it, so that `urne-trustee unwrap` opens it:
// key = scrypt(NFC UTF-8 passphrase, salt, n = 2^17, r = 8, p = 1, 32 bytes) (@noble/hashes),
// then AES-256-GCM (WebCrypto) with a 12-byte nonce, the header's canonical JSON as
// additional data, the 16-byte tag after the ciphertext.

import { scryptAsync } from '@noble/hashes/scrypt.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { dumps, expectInt, expectObject, expectStr, field, FormatError, loads } from '../belenios/json.js';

export const FORMAT = 'urne-wrapped-key-1';
export const DEFAULT_N = 2 ** 17;
const MIN_N = 2 ** 14;
const MAX_N = 2 ** 20;
const FIELDS = ['format', 'kdf', 'n', 'r', 'p', 'salt', 'cipher', 'nonce', 'name', 'data'];

/** The file is not a wrapped key, or the passphrase does not open it. */
export class WrapError extends Error {
  constructor(message) {
    super(message);
    this.name = 'WrapError';
  }
}

const utf8 = (s) => new TextEncoder().encode(s);

function header(n, r, p, salt, nonce, name) {
  return {
    format: FORMAT, kdf: 'scrypt', n, r, p, salt: bytesToHex(salt), cipher: 'AES-256-GCM',
    nonce: bytesToHex(nonce), name,
  };
}

async function aesKey(passphrase, salt, n, r, p) {
  const raw = await scryptAsync(utf8(passphrase.normalize('NFC')), salt, { N: n, r, p, dkLen: 32, maxmem: 2 * 128 * n * r + 2 ** 20 });
  return globalThis.crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

function randomBytes(n) {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}

/** Wrap a private file's text (fresh salt and nonce unless given, for the vectors). */
export async function wrap(plaintext, passphrase, name, { n = DEFAULT_N, salt, nonce } = {}) {
  if (!passphrase) throw new WrapError('the passphrase is empty');
  salt = salt ?? randomBytes(32);
  nonce = nonce ?? randomBytes(12);
  const head = header(n, 8, 1, salt, nonce, name);
  const key = await aesKey(passphrase, salt, n, 8, 1);
  const data = await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce, additionalData: utf8(dumps(head)), tagLength: 128 }, key, utf8(plaintext),
  );
  return dumps({ ...head, data: bytesToHex(new Uint8Array(data)) });
}

/** Whether a file's text looks like a wrapped key. */
export function isWrapped(text) {
  return text.trimStart().startsWith('{"format":"' + FORMAT + '"');
}

/** Open a wrapped file: {name, text}; WrapError when it cannot. */
export async function unwrap(text, passphrase) {
  let obj, n, r, p, salt, nonce, name, data;
  try {
    obj = expectObject(loads(text.trim()), 'wrapped key', FIELDS);
    if (field(obj, 'format') !== FORMAT || field(obj, 'kdf') !== 'scrypt') throw new WrapError('not an urne-wrapped-key-1 file');
    if (field(obj, 'cipher') !== 'AES-256-GCM') throw new WrapError('unknown cipher');
    n = expectInt(field(obj, 'n'), 'n');
    r = expectInt(field(obj, 'r'), 'r');
    p = expectInt(field(obj, 'p'), 'p');
    salt = hexToBytes(expectStr(field(obj, 'salt'), 'salt'));
    nonce = hexToBytes(expectStr(field(obj, 'nonce'), 'nonce'));
    name = expectStr(field(obj, 'name'), 'name');
    data = hexToBytes(expectStr(field(obj, 'data'), 'data'));
  } catch (exc) {
    if (exc instanceof WrapError) throw exc;
    throw new WrapError(`not a wrapped key file: ${exc.message}`);
  }
  if (!(n >= MIN_N && n <= MAX_N && (n & (n - 1)) === 0 && r === 8 && p === 1)) throw new WrapError('scrypt parameters out of range');
  if (salt.length !== 32 || nonce.length !== 12) throw new WrapError('salt or nonce of the wrong size');
  const key = await aesKey(passphrase, salt, n, r, p);
  try {
    const clear = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: utf8(dumps(header(n, r, p, salt, nonce, name))), tagLength: 128 }, key, data,
    );
    return { name, text: new TextDecoder('utf-8', { fatal: true }).decode(clear) };
  } catch {
    throw new WrapError('wrong passphrase, or the file was altered');
  }
}

export { FormatError };
