// Vote codes in the browser: the byte-identical twin of src/urne/authority/codes.py (ADR 0300),
// checked by frontend/test/votecode_vectors.json (made by Python) in both test suites.
//
// A code is 25 characters of a 31-character alphabet without look-alikes, printed
// XXXXX-XXXXX-XXXXX-XXXXX-XXXXX: 24 base-31 digits of a number v < 31**24, then a check
// character making sum((i + 1) * value(c_i)) ≡ 0 (mod 31). Every single substitution and
// every adjacent transposition is caught here, before any derivation. The Belenios credential
// is v in base58 on 22 digits, dashed 5-6-5-6; it never leaves the browser.
import { publicCredential } from '../belenios/credentials.js';

export const VOTE_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const P = 31;
const DATA_LENGTH = 24;
export const VOTE_CODE_LENGTH = 25;
const MAX_VALUE = 31n ** 24n;
const SEPARATORS = new Set(
  ' -_.\t\n\r\v\f\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009' +
  '\u200a\u200b\u202f\u3000\ufeff\u2010\u2011\u2012\u2013\u2014\u2212',
);
const VALUE = new Map([...VOTE_CODE_ALPHABET].map((c, i) => [c, i]));

function weightedSum(chars) {
  let s = 0;
  for (let i = 0; i < chars.length; i += 1) s += (i + 1) * VALUE.get(chars[i]);
  return s % P;
}

function inverseMod(a, p) {
  for (let x = 1; x < p; x += 1) if ((a * x) % p === 1) return x;
  throw new Error('no inverse');
}

export function checkCharacter(data) {
  const s = weightedSum(data);
  return VOTE_CODE_ALPHABET[(((-s * inverseMod(VOTE_CODE_LENGTH, P)) % P) + P) % P];
}

function group(compact) {
  const parts = [];
  for (let i = 0; i < compact.length; i += 5) parts.push(compact.slice(i, i + 5));
  return parts.join('-');
}

export function voteCodeFromValue(value) {
  let v = BigInt(value);
  if (v < 0n || v >= MAX_VALUE) throw new RangeError('vote code value out of range');
  const digits = [];
  for (let i = 0; i < DATA_LENGTH; i += 1) {
    digits.push(VOTE_CODE_ALPHABET[Number(v % 31n)]);
    v /= 31n;
  }
  const data = digits.reverse().join('');
  return group(data + checkCharacter(data));
}

function messages(reason, detail) {
  if (reason === 'characters') {
    return {
      fr: `caractères jamais utilisés dans un code de vote : ${detail}`,
      en: `characters never used in a vote code: ${detail}`,
    };
  }
  if (reason === 'length') {
    return {
      fr: `un code de vote compte ${VOTE_CODE_LENGTH} caractères, ${detail} ${detail > 1 ? 'ont été saisis' : 'a été saisi'}`,
      en: `a vote code has ${VOTE_CODE_LENGTH} characters, ${detail} were given`,
    };
  }
  return {
    fr: 'le code saisi contient une faute de frappe (le caractère de contrôle ne correspond pas) : vérifiez-le sur votre avis',
    en: 'the code contains a typo (the check character does not match): check it against your notice',
  };
}

/** What a person typed → {ok: true, code} or {ok: false, reason, count | chars, messages}. */
export function normaliseVoteCode(typed) {
  const kept = [];
  for (const ch of String(typed)) {
    if (SEPARATORS.has(ch)) continue;
    kept.push(ch >= 'a' && ch <= 'z' ? ch.toUpperCase() : ch);
  }
  const bad = [...new Set(kept.filter((c) => !VALUE.has(c)))].sort((a, b) => a.codePointAt(0) - b.codePointAt(0));
  if (bad.length) {
    return { ok: false, reason: 'characters', chars: bad.join(''), messages: messages('characters', bad.join(' ')) };
  }
  if (kept.length !== VOTE_CODE_LENGTH) {
    return { ok: false, reason: 'length', count: kept.length, messages: messages('length', kept.length) };
  }
  const compact = kept.join('');
  if (weightedSum(compact) !== 0) return { ok: false, reason: 'check', messages: messages('check') };
  return { ok: true, code: group(compact) };
}

function valueOf(code) {
  const r = normaliseVoteCode(code);
  if (!r.ok) {
    const err = new Error(r.messages.en);
    err.reason = r.reason;
    err.messages = r.messages;
    throw err;
  }
  let v = 0n;
  for (const c of r.code.replace(/-/g, '').slice(0, DATA_LENGTH)) v = v * 31n + BigInt(VALUE.get(c));
  return v;
}

/** Vote code (as typed) → the dashed Belenios credential the derivation hashes. */
export function credentialOfVoteCode(code) {
  let v = valueOf(code);
  const digits = [];
  for (let i = 0; i < 22; i += 1) {
    digits.push(BASE58[Number(v % 58n)]);
    v /= 58n;
  }
  const raw = digits.reverse().join('');
  return `${raw.slice(0, 5)}-${raw.slice(5, 11)}-${raw.slice(11, 16)}-${raw.slice(16, 22)}`;
}

/** Inverse of credentialOfVoteCode; throws for a credential that is no vote code. */
export function voteCodeOfCredential(credential) {
  const raw = String(credential).replace(/-/g, '');
  if (raw.length !== 22 || [...raw].some((c) => !BASE58.includes(c))) throw new Error('not a Belenios credential');
  let v = 0n;
  for (const c of raw) v = v * 58n + BigInt(BASE58.indexOf(c));
  if (v >= MAX_VALUE) throw new Error('this credential is not the image of a vote code');
  return voteCodeFromValue(v);
}

/** {scrutin uuid: public credential hex} of a vote code: what the booth sends to the authority. */
export function voteCodePublicCredentials(code, uuids) {
  const credential = credentialOfVoteCode(code);
  const out = {};
  for (const uuid of uuids) out[uuid] = publicCredential(uuid, credential);
  return out;
}
