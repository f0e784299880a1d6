// The count's holder side in the browser (docs/protocol.md §7, §8), mirroring
// src/urne/crypto/tally.py and src/urne/decryptions.py byte for byte: the encrypted tally as
// the product of the ballots' ciphertexts, the trustees' decryption keys, a partial decryption
// with its proofs (random scalars drawn in the order Python draws them), its check, and the
// holder's file of every scrutin's partial decryption (`urne-partial-decryptions/1`).

import { ed25519 } from '@noble/curves/ed25519.js';
import { parseBallot } from '../belenios/ballot.js';
import { parseElection } from '../belenios/election.js';
import {
  doubleMul, elementOfString, elementToString, GENERATOR, GroupError, hashToScalar, IDENTITY, mul, mulBase, op, Q,
  scalarOfString, secureScalar,
} from '../belenios/group.js';
import { dumps, expectList, expectObject, expectStr, field, FormatError, loads } from '../belenios/json.js';

export const BUNDLE_FORMAT = 'urne-partial-decryptions/1';

/** A tally cannot be computed or decrypted (a ballot for another election, a bad element). */
export class TallyError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TallyError';
  }
}

const mod = (n) => ((n % Q) + Q) % Q;

function point(s, what) {
  const e = elementOfString(expectStr(s, what));
  if (e === null) throw new GroupError(`${what}: not a group element`);
  return e;
}

/**
 * A ballot's ciphertext element for the product, decoded without the subgroup check (a
 * scalar multiplication each, 20 a ballot: most of the cost): the server checked every
 * ballot at its cast, and the product is checked whole, as the tally the page decrypts
 * (`tallyOfText`), so a point outside the group still makes the comparison fail.
 */
function summand(s, what) {
  if (typeof s !== 'string' || !/^[0-9a-f]{64}$/.test(s)) throw new TallyError(`${what}: not a group element encoding`);
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[31 - i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  try {
    return ed25519.Point.fromBytes(bytes, false);
  } catch {
    throw new TallyError(`${what}: not a point of the curve`);
  }
}

const electionOf = (e) => (typeof e === 'string' ? parseElection(e) : e);

/**
 * The encrypted tally of ballot strings (§7, weight 1 each): per question, per slot, the
 * product of the ballots' ciphertexts, starting from the neutral (g^0, g^0). Each ballot must
 * be canonical and name this election (uuid and fingerprint).
 */
export function encryptedTally(electionOrRaw, ballots) {
  const e = electionOf(electionOrRaw);
  const tally = e.questions.map((q) => Array.from({ length: q.size }, () => ({ alpha: IDENTITY, beta: IDENTITY })));
  ballots.forEach((raw, n) => {
    const b = parseBallot(raw);
    if (b.electionUuid !== e.uuid || b.electionHash !== e.fingerprint) throw new TallyError(`ballot ${n + 1} is for another election`);
    if (b.answers.length !== tally.length) throw new TallyError(`ballot ${n + 1} does not have the election's shape`);
    b.answers.forEach((a, i) => {
      if (a.choices.length !== tally[i].length) throw new TallyError(`ballot ${n + 1} does not have the election's shape`);
      a.choices.forEach((c, j) => {
        const acc = tally[i][j];
        tally[i][j] = { alpha: op(acc.alpha, summand(c.alpha, 'alpha')), beta: op(acc.beta, summand(c.beta, 'beta')) };
      });
    });
  });
  return tally;
}

/** The canonical `encrypted_tally` text (§7), as archived, hashed and served. */
export function tallyText(tally) {
  return dumps(tally.map((q) => q.map((c) => ({ alpha: elementToString(c.alpha), beta: elementToString(c.beta) }))));
}

/** Read `encrypted_tally` JSON text (§7). */
export function tallyOfText(text) {
  return expectList(loads(text), 'encrypted tally').map((q) =>
    expectList(q, 'encrypted tally').map((c) => {
      const o = expectObject(c, 'ciphertext', ['alpha', 'beta']);
      return { alpha: point(field(o, 'alpha'), 'alpha'), beta: point(field(o, 'beta'), 'beta') };
    }),
  );
}

/**
 * Every partial decryption's owner id (1-based, trustee order, §8) with the public key its
 * proofs verify under, from `trustees.json` text: a Single's key, each Pedersen member's
 * verification key (Python's `decryption_keys`).
 */
export function decryptionKeys(trusteesRaw) {
  const out = [];
  let next = 1;
  expectList(loads(trusteesRaw), 'trustees').forEach((entry, i) => {
    const item = expectList(entry, `trustee ${i + 1}`);
    if (item.length !== 2) throw new FormatError(`trustee ${i + 1}: [kind, data] expected`);
    if (item[0] === 'Single') {
      out.push([next++, point(field(item[1], 'public_key'), 'public key')]);
    } else if (item[0] === 'Pedersen') {
      for (const vk of expectList(field(item[1], 'verification_keys'), 'verification keys')) {
        out.push([next++, point(field(vk, 'public_key'), 'verification key')]);
      }
    } else {
      throw new FormatError(`trustee ${i + 1}: unknown kind ${JSON.stringify(item[0])}`);
    }
  });
  return out;
}

/** The trustee id whose key is g^x, or null. */
export function ownerOf(trusteesRaw, x) {
  const pub = mulBase(x);
  const found = decryptionKeys(trusteesRaw).find(([, key]) => key.equals(pub));
  return found ? found[0] : null;
}

const decryptPrefix = (e, pub) => `decrypt|${e.fingerprint}|${elementToString(pub)}|`;

/**
 * A trustee's partial decryption (§8 `compute_factor`): per slot the factor α^x and a proof
 * of knowledge of x over [g, α] (w drawn per slot, in order). Returns the
 * `partial_decryption` JSON object.
 */
export function partialDecryption(electionOrRaw, tally, x, random = secureScalar) {
  const e = electionOf(electionOrRaw);
  const prefix = decryptPrefix(e, mulBase(x));
  const factors = [];
  const proofs = [];
  for (const q of tally) {
    factors.push(q.map((c) => elementToString(mul(c.alpha, x))));
    proofs.push(q.map((c) => {
      const w = random();
      const challenge = hashToScalar(prefix, [mulBase(w), mul(c.alpha, w)]);
      return { challenge: challenge.toString(10), response: mod(w - x * challenge).toString(10) };
    }));
  }
  return { decryption_factors: factors, decryption_proofs: proofs };
}

/** Check a `partial_decryption` object against a tally and a public key (§8 `check_factor`). */
export function checkPartialDecryption(electionOrRaw, tally, publicKey, pd) {
  const e = electionOf(electionOrRaw);
  const prefix = decryptPrefix(e, publicKey);
  const obj = expectObject(pd, 'partial decryption', ['decryption_factors', 'decryption_proofs']);
  const fs = expectList(field(obj, 'decryption_factors'), 'factors');
  const ps = expectList(field(obj, 'decryption_proofs'), 'proofs');
  if (fs.length !== tally.length || ps.length !== tally.length) return false;
  return tally.every((q, i) => {
    if (fs[i].length !== q.length || ps[i].length !== q.length) return false;
    return q.every((c, j) => {
      const f = elementOfString(fs[i][j]);
      if (f === null) return false;
      const challenge = scalarOfString(ps[i][j].challenge);
      const response = scalarOfString(ps[i][j].response);
      const a = doubleMul(GENERATOR, response, publicKey, challenge);
      const b = doubleMul(c.alpha, response, f, challenge);
      return hashToScalar(prefix, [a, b]) === challenge;
    });
  });
}

/** The holder's file for `[uuid, owner, partial decryption text]` entries (urne.decryptions). */
export function bundleDumps(entries) {
  const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  return dumps({
    decryptions: sorted.map(([uuid, owner, text]) => ({ owner, partial_decryption: text, uuid })),
    format: BUNDLE_FORMAT,
  });
}
