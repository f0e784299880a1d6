// Election parameters, election.json version 1, homomorphic questions (docs/protocol.md §3),
// mirroring src/urne/crypto/election.py. The election is read from its raw text, which is
// kept: the fingerprint is the hash of those exact bytes.

import { DESCRIPTION, elementOfString, GroupError, sha256B64 } from './group.js';
import { expectInt, expectList, expectObject, expectStr, field, FormatError, loads } from './json.js';

export const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** A Belenios uuid: base58, at least 14 characters (§3). */
export function checkUuid(uuid) {
  if (uuid.length < 14 || [...uuid].some((ch) => !BASE58_ALPHABET.includes(ch))) {
    throw new FormatError(`invalid election uuid ${JSON.stringify(uuid.slice(0, 40))}`);
  }
  return uuid;
}

function parseQuestion(value, what) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && field(value, 'type') !== undefined) {
    throw new FormatError(`${what}: question type ${JSON.stringify(value.type)} is not supported`);
  }
  const obj = expectObject(value, what, ['answers', 'blank', 'min', 'max', 'question']);
  const blank = field(obj, 'blank') ?? false;
  if (typeof blank !== 'boolean') throw new FormatError(`${what}: blank must be a boolean`);
  const question = expectStr(field(obj, 'question'), `${what} question`);
  const answers = expectList(field(obj, 'answers'), `${what} answers`).map((a) => expectStr(a, `${what} answer`));
  const min = expectInt(field(obj, 'min'), `${what} min`);
  const max = expectInt(field(obj, 'max'), `${what} max`);
  if (!answers.length) throw new FormatError('a question needs at least one answer');
  if (!(0 <= min && min <= max && max <= answers.length)) {
    throw new FormatError(
      `question bounds must satisfy 0 ≤ min ≤ max ≤ answers (min ${min}, max ${max}, ${answers.length} answers)`,
    );
  }
  return Object.freeze({ question, answers: Object.freeze(answers), min, max, blank, size: answers.length + (blank ? 1 : 0) });
}

/**
 * Check that `plaintext` is a choice `q` accepts (§3, §5): one 0/1 per slot (blank slot
 * first), a blank vote selects nothing, otherwise min..max answers. Throws RangeError.
 */
export function checkPlaintext(q, plaintext) {
  if (!Array.isArray(plaintext) || plaintext.length !== q.size) {
    throw new RangeError(`expected ${q.size} values, got ${Array.isArray(plaintext) ? plaintext.length : 'no list'}`);
  }
  if (plaintext.some((v) => v !== 0 && v !== 1)) throw new RangeError('every value of a choice must be 0 or 1');
  let rest = plaintext;
  if (q.blank) {
    rest = plaintext.slice(1);
    if (plaintext[0] === 1) {
      if (rest.some((v) => v)) throw new RangeError('a blank vote selects no answer');
      return;
    }
  }
  const n = rest.reduce((a, b) => a + b, 0);
  if (!(q.min <= n && n <= q.max)) throw new RangeError(`between ${q.min} and ${q.max} answers must be selected`);
}

/**
 * Read election.json text (§3): version 1, group Ed25519, a public key that is a group
 * member, homomorphic questions only. Returns a frozen object with `raw` and `fingerprint`
 * (φ = b64 SHA-256 of the raw string). Throws FormatError.
 */
export function parseElection(raw) {
  const obj = expectObject(loads(raw), 'election', [
    'version', 'description', 'name', 'group', 'public_key', 'questions', 'uuid', 'administrator', 'credential_authority',
  ]);
  if (field(obj, 'version') !== 1) throw new FormatError(`election: unsupported version ${JSON.stringify(field(obj, 'version'))}`);
  const group = expectStr(field(obj, 'group'), 'election group');
  if (group !== DESCRIPTION) throw new FormatError(`election: group ${JSON.stringify(group)} is not supported (only Ed25519)`);
  let publicKey;
  try {
    publicKey = elementOfString(expectStr(field(obj, 'public_key'), 'election public key'));
  } catch (exc) {
    if (exc instanceof GroupError) throw new FormatError(`election public key: ${exc.message}`);
    throw exc;
  }
  if (publicKey === null) throw new FormatError('election: the public key is not a group element');
  const questions = expectList(field(obj, 'questions'), 'election questions').map((q, i) => parseQuestion(q, `question ${i + 1}`));
  if (!questions.length) throw new FormatError('election: no question');
  const administrator = field(obj, 'administrator');
  const authority = field(obj, 'credential_authority');
  const uuid = checkUuid(expectStr(field(obj, 'uuid'), 'election uuid'));
  // Precomputed windows for y: every encryption and proof multiplies it. Width 4 measured
  // best for one ballot (npm run bench): 6 to 8 win a few ms per ballot but cost 20 to 70 ms.
  if (!publicKey.is0()) publicKey.precompute(4, false);
  return Object.freeze({
    uuid,
    name: expectStr(field(obj, 'name'), 'election name'),
    description: expectStr(field(obj, 'description'), 'election description'),
    publicKey,
    questions: Object.freeze(questions),
    administrator: administrator == null ? null : expectStr(administrator, 'administrator'),
    credentialAuthority: authority == null ? null : expectStr(authority, 'credential_authority'),
    group,
    raw,
    fingerprint: sha256B64(raw),
  });
}
