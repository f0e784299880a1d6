// Belenios 3.0 "full" credentials (docs/protocol.md §4, §12 "2.4"), mirroring
// src/urne/crypto/credentials.py. A private credential is 22 base58 characters shown as
// XXXXX-XXXXXX-XXXXX-XXXXXX; the derivation hashes that dashed string, so what a person
// types is normalised to it first. The credential never leaves the browser: only the public
// credential g^secret and the signed ballot do.

import { BASE58_ALPHABET } from './election.js';
import { elementToString, mulBase, Q, sha256Hex } from './group.js';

export const CREDENTIAL_LENGTH = 22;
const GROUPS = [5, 6, 5, 6];
// Python's str.strip(): the characters for which str.isspace() is true.
const PY_SPACE = '\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000';
const STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
// Separators a person may type between groups: ignored (credentials.py _SEPARATORS).
const SEPARATORS = /[ \-_.\t\n\r\u00a0\u2010\u2011\u2012\u2013\u2014]/g;

/** What was typed is not a credential; `code` names the problem, `messages` says it in fr and en. */
export class CredentialError extends Error {
  constructor(code, messages, details) {
    super(messages.en);
    this.name = 'CredentialError';
    this.code = code;
    this.messages = messages;
    Object.assign(this, details);
  }
}

/** Dash 22 base58 characters into the 5-6-5-6 form the derivation hashes (§12). */
export function formatCredential(raw) {
  const parts = [];
  let start = 0;
  for (const size of GROUPS) {
    parts.push(raw.slice(start, start + size));
    start += size;
  }
  return parts.join('-');
}

/**
 * Normalise what a person typed into the canonical dashed credential (§4 ⚠, §12), exactly as
 * `normalise_credential`: spaces, dashes and similar separators are ignored; any other
 * character outside the base58 alphabet, or a wrong length, is refused.
 *
 * Returns `{ok: true, credential}` or `{ok: false, code, messages: {fr, en}, ...}` with
 * code `"characters"` (and `characters`: the refused ones, sorted by code point, each once)
 * or `"length"` (and `length`: how many characters were given). `messages.en` is Python's
 * message word for word.
 */
export function normaliseCredential(typed) {
  if (typeof typed !== 'string') throw new TypeError('a credential is typed as a string');
  const compact = typed.replace(STRIP, '').replace(SEPARATORS, '');
  const chars = Array.from(compact); // code points, as Python iterates a str
  const bad = [...new Set(chars.filter((ch) => !BASE58_ALPHABET.includes(ch)))].sort(
    (a, b) => a.codePointAt(0) - b.codePointAt(0),
  );
  if (bad.length) {
    const list = bad.join(' ');
    return {
      ok: false,
      code: 'characters',
      characters: bad,
      messages: {
        fr: `caractères non autorisés dans un code de vote : ${list}`,
        en: `characters not allowed in a credential: ${list}`,
      },
    };
  }
  if (chars.length !== CREDENTIAL_LENGTH) {
    const n = chars.length;
    return {
      ok: false,
      code: 'length',
      length: n,
      messages: {
        fr: `un code de vote compte ${CREDENTIAL_LENGTH} caractères, ${n} ${n > 1 ? 'ont été saisis' : 'a été saisi'}`,
        en: `a credential has ${CREDENTIAL_LENGTH} characters, ${n} were given`,
      },
    };
  }
  return { ok: true, credential: formatCredential(compact) };
}

function normalisedOrThrow(typed) {
  const result = normaliseCredential(typed);
  if (!result.ok) {
    const { ok: _ok, code, messages, ...details } = result;
    throw new CredentialError(code, messages, details);
  }
  return result.credential;
}

/**
 * `derive_full` (§12 "2.4"): SHA-256 of `derive_credential|uuid|i|cred` for i = 0, 1,
 * concatenated as a 512-bit hex number, reduced mod q. `credential` is normalised first
 * (CredentialError if it is not a credential). Returns a BigInt.
 */
export function deriveSecret(uuid, credential) {
  const dashed = normalisedOrThrow(credential);
  const prefix = `derive_credential|${uuid}`;
  const digest = sha256Hex(`${prefix}|0|${dashed}`) + sha256Hex(`${prefix}|1|${dashed}`);
  return BigInt('0x' + digest) % Q;
}

/** The public credential g^secret as Belenios writes it (64 hex chars, §4). */
export function publicCredential(uuid, credential) {
  return elementToString(mulBase(deriveSecret(uuid, credential)));
}
