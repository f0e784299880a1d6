// Ballots: creation and checking, homomorphic answers with blank (docs/protocol.md §5), mirroring
// src/urne/crypto/ballot.py. `createBallot` returns the same string as Python's
// `create_ballot(...).to_string()` when given the same random scalars in the same order.

import { checkPlaintext, parseElection } from './election.js';
import {
  elementOfString, elementToString, GroupError, hashToScalar, isElementString, mulBase, Q,
  scalarOfString, secureScalar, sha256B64,
} from './group.js';
import { dumps, expectList, expectObject, expectStr, field, FormatError, loads } from './json.js';
import {
  ciphertextToJson, combineAll, encrypt, proofToJson, proveDisjunction, schnorrCommitment, verifyDisjunction,
} from './primitives.js';

/** A ballot is refused; `check` names the check that failed (as Python's BallotError). */
export class BallotError extends Error {
  constructor(check, detail = '') {
    super(detail ? `${check}: ${detail}` : check);
    this.name = 'BallotError';
    this.check = check;
  }
}

const mod = (n) => ((n % Q) + Q) % Q;
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const sumScalars = (xs) => xs.reduce((a, b) => a + b, 0n) % Q;

function election(electionOrRaw) {
  return typeof electionOrRaw === 'string' ? parseElection(electionOrRaw) : electionOrRaw;
}

// -- hashed strings (§1.1) ------------------------------------------------------------------

function choicesString(choices) {
  return choices.map((c) => `${elementToString(c.alpha)},${elementToString(c.beta)}`).join(',');
}

function individualPrefix(s0, c) {
  return `prove|${s0}|${elementToString(c.alpha)},${elementToString(c.beta)}|`;
}

/** The disjuncts of the overall proof and, with blank, of the blank proof (§5). */
function overallStatements(q, choices) {
  if (q.blank) {
    const c0 = choices[0];
    const cSum = combineAll(choices.slice(1));
    const overall = [[c0, 1]];
    for (let m = q.min; m <= q.max; m++) overall.push([cSum, m]);
    return [overall, [[c0, 0], [cSum, 0]]];
  }
  const cSum = combineAll(choices);
  const overall = [];
  for (let m = q.min; m <= q.max; m++) overall.push([cSum, m]);
  return [overall, null];
}

function overallPrefixes(q, s, choices) {
  if (q.blank) return [`bproof1|${s}|`, `bproof0|${s}|`];
  return [individualPrefix(s, combineAll(choices)), ''];
}

const signaturePrefix = (hash) => `sig|${hash}|`;

// -- JSON (field order of the ATD types) ----------------------------------------------------

function answerToJson(a) {
  const out = {
    choices: a.choices.map(ciphertextToJson),
    individual_proofs: a.individualProofs.map((ps) => ps.map(proofToJson)),
    overall_proof: a.overallProof.map(proofToJson),
  };
  if (a.blankProof) out.blank_proof = a.blankProof.map(proofToJson);
  return out;
}

function unsignedJson(e, credential, answers) {
  return {
    election_uuid: e.uuid,
    election_hash: e.fingerprint,
    credential: elementToString(credential),
    answers: answers.map(answerToJson),
  };
}

// -- creation -------------------------------------------------------------------------------

function createAnswer(e, s0, q, plaintext, random) {
  checkPlaintext(q, plaintext);
  const y = e.publicKey;
  const rs = plaintext.map(() => random());
  const choices = plaintext.map((m, j) => encrypt(y, rs[j], m));
  const individualProofs = choices.map((c, j) =>
    proveDisjunction(y, individualPrefix(s0, c), [[c, 0], [c, 1]], plaintext[j], rs[j], random),
  );
  const s = `${s0}|${choicesString(choices)}`;
  const [overallSt, blankSt] = overallStatements(q, choices);
  const [overallPrefix, blankPrefix] = overallPrefixes(q, s, choices);
  if (blankSt === null) {
    const overallProof = proveDisjunction(y, overallPrefix, overallSt, sum(plaintext) - q.min, sumScalars(rs), random);
    return { choices, individualProofs, overallProof, blankProof: null };
  }
  const m0 = plaintext[0];
  const mSum = sum(plaintext.slice(1));
  const r0 = rs[0];
  const rSum = sumScalars(rs.slice(1));
  let blankProof, overallProof;
  if (m0 === 0) {
    blankProof = proveDisjunction(y, blankPrefix, blankSt, 0, r0, random);
    overallProof = proveDisjunction(y, overallPrefix, overallSt, mSum - q.min + 1, rSum, random);
  } else {
    blankProof = proveDisjunction(y, blankPrefix, blankSt, 1, rSum, random);
    overallProof = proveDisjunction(y, overallPrefix, overallSt, 0, r0, random);
  }
  return { choices, individualProofs, overallProof, blankProof };
}

function checkedSource(random) {
  return () => {
    const n = random();
    if (typeof n !== 'bigint' || n < 0n || n >= Q) throw new RangeError('the scalar source must return a BigInt in [0, q)');
    return n;
  };
}

function secretScalar(x) {
  const n = typeof x === 'bigint' ? x : scalarOfString(String(x));
  if (n < 0n || n >= Q) throw new RangeError('a credential secret is a scalar in [0, q)');
  return n;
}

/**
 * Create a signed ballot (§5 `create_ballot`) and return its canonical string.
 *
 * `electionRaw`: election.json text (or an election from parseElection); `credentialSecret`:
 * the BigInt from deriveSecret (or its decimal string); `plaintext`: one 0/1 list per
 * question, the blank slot first; `random`: scalar source, the browser's CSPRNG by default
 * (tests inject a deterministic one).
 */
export function createBallot(electionRaw, credentialSecret, plaintext, random = secureScalar) {
  const e = election(electionRaw);
  const secret = secretScalar(credentialSecret);
  const draw = checkedSource(random);
  if (!Array.isArray(plaintext) || plaintext.length !== e.questions.length) {
    throw new RangeError(`expected ${e.questions.length} answers, got ${Array.isArray(plaintext) ? plaintext.length : 'no list'}`);
  }
  const credential = mulBase(secret);
  const s0 = `${e.fingerprint}|${elementToString(credential)}`;
  const answers = e.questions.map((q, i) => createAnswer(e, s0, q, plaintext[i], draw));
  const unsigned = unsignedJson(e, credential, answers);
  const hash = sha256B64(dumps(unsigned));
  const w = draw();
  const challenge = hashToScalar(signaturePrefix(hash), [mulBase(w)]);
  const proof = { challenge, response: mod(w - secret * challenge) };
  return dumps({ ...unsigned, signature: { hash, proof: proofToJson(proof) } });
}

/** Smart ballot tracker: unpadded standard Base64 of SHA-256 of the ballot string (§5). */
export function tracker(ballotString) {
  return sha256B64(ballotString);
}

// -- checking -------------------------------------------------------------------------------

function proofOfJson(value, what) {
  const obj = expectObject(value, what, ['challenge', 'response']);
  try {
    return {
      challenge: scalarOfString(expectStr(field(obj, 'challenge'), what)),
      response: scalarOfString(expectStr(field(obj, 'response'), what)),
    };
  } catch (exc) {
    if (exc instanceof GroupError) throw new FormatError(`${what}: ${exc.message}`);
    throw exc;
  }
}

function elementStringOfJson(value, what) {
  const s = expectStr(value, what);
  if (!isElementString(s)) throw new FormatError(`${what}: not a group element encoding: ${JSON.stringify(s.slice(0, 70))}`);
  return s; // decoded (and its membership checked) by the checks, as Belenios does
}

function answerOfJson(value, what) {
  const obj = expectObject(value, what, ['choices', 'individual_proofs', 'overall_proof', 'blank_proof']);
  const proofs = (v, name) => expectList(v, name).map((p) => proofOfJson(p, `${what} ${name}`));
  const blank = field(obj, 'blank_proof');
  return {
    choices: expectList(field(obj, 'choices'), `${what} choices`).map((c) => {
      const o = expectObject(c, `${what} choice`, ['alpha', 'beta']);
      return { alpha: elementStringOfJson(field(o, 'alpha'), `${what} choice`), beta: elementStringOfJson(field(o, 'beta'), `${what} choice`) };
    }),
    individualProofs: expectList(field(obj, 'individual_proofs'), `${what} individual proofs`).map((p) => proofs(p, 'individual proof')),
    overallProof: proofs(field(obj, 'overall_proof'), 'overall proof'),
    blankProof: blank == null ? null : proofs(blank, 'blank proof'),
  };
}

function answerStringsToJson(a) {
  const out = {
    choices: a.choices.map((c) => ({ alpha: c.alpha, beta: c.beta })),
    individual_proofs: a.individualProofs.map((ps) => ps.map(proofToJson)),
    overall_proof: a.overallProof.map(proofToJson),
  };
  if (a.blankProof) out.blank_proof = a.blankProof.map(proofToJson);
  return out;
}

function ballotStringsToJson(b, signed) {
  const out = { election_uuid: b.electionUuid, election_hash: b.electionHash, credential: b.credential, answers: b.answers.map(answerStringsToJson) };
  if (signed && b.signatureHash != null && b.signatureProof != null) {
    out.signature = { hash: b.signatureHash, proof: proofToJson(b.signatureProof) };
  }
  return out;
}

/** Parse a ballot string; refuses anything not in canonical form (§1, §5 Acceptance). */
export function parseBallot(raw) {
  let ballot;
  try {
    const obj = expectObject(loads(raw), 'ballot', ['election_uuid', 'election_hash', 'credential', 'answers', 'signature']);
    const signature = field(obj, 'signature');
    let signatureHash = null;
    let signatureProof = null;
    if (signature != null) {
      const sig = expectObject(signature, 'signature', ['hash', 'proof']);
      signatureHash = expectStr(field(sig, 'hash'), 'signature hash');
      signatureProof = proofOfJson(field(sig, 'proof'), 'signature proof');
    }
    ballot = {
      electionUuid: expectStr(field(obj, 'election_uuid'), 'election_uuid'),
      electionHash: expectStr(field(obj, 'election_hash'), 'election_hash'),
      credential: elementStringOfJson(field(obj, 'credential'), 'credential'),
      answers: expectList(field(obj, 'answers'), 'answers').map((a, i) => answerOfJson(a, `answer ${i + 1}`)),
      signatureHash,
      signatureProof,
    };
  } catch (exc) {
    if (exc instanceof FormatError) throw new BallotError('format', exc.message);
    throw exc;
  }
  let canonical;
  try {
    canonical = dumps(ballotStringsToJson(ballot, true));
  } catch {
    canonical = null; // e.g. a lone surrogate: no canonical form at all
  }
  if (canonical !== raw) throw new BallotError('canonical JSON', 'the ballot is not in canonical form');
  return ballot;
}

function decodeChoices(choices, where) {
  return choices.map((c, j) => {
    const alpha = elementOfString(c.alpha);
    const beta = elementOfString(c.beta);
    if (alpha === null || beta === null) throw new BallotError(`${where} choice ${j + 1}: group membership`, 'not a group element');
    return { alpha, beta };
  });
}

function checkAnswer(e, s0, q, answer, where) {
  const y = e.publicKey;
  if (answer.choices.length !== q.size || answer.individualProofs.length !== q.size) {
    throw new BallotError(`${where}: shape`, `expected ${q.size} choices with their proofs`);
  }
  const choices = decodeChoices(answer.choices, where);
  choices.forEach((c, j) => {
    if (!verifyDisjunction(y, individualPrefix(s0, c), [[c, 0], [c, 1]], answer.individualProofs[j])) {
      throw new BallotError(`${where} choice ${j + 1}: individual proof`);
    }
  });
  const s = `${s0}|${choicesString(choices)}`;
  const [overallSt, blankSt] = overallStatements(q, choices);
  const [overallPrefix, blankPrefix] = overallPrefixes(q, s, choices);
  if (blankSt === null) {
    if (answer.blankProof !== null) throw new BallotError(`${where}: blank proof`, 'a blank proof in a question without blank');
  } else {
    if (answer.blankProof === null) throw new BallotError(`${where}: blank proof`, 'missing');
    if (!verifyDisjunction(y, blankPrefix, blankSt, answer.blankProof)) throw new BallotError(`${where}: blank proof`);
  }
  // The sums are products of members, hence members: Python's re-check cannot fail here.
  if (!verifyDisjunction(y, overallPrefix, overallSt, answer.overallProof)) throw new BallotError(`${where}: overall proof`);
}

/**
 * Check a parsed ballot against the election (§5 `check_ballot`): uuid, fingerprint,
 * signature and every proof. Throws BallotError naming the failed check.
 */
export function checkBallot(electionRaw, ballot) {
  const e = election(electionRaw);
  if (ballot.electionUuid !== e.uuid) throw new BallotError('election uuid', 'the ballot is for another election');
  if (ballot.electionHash !== e.fingerprint) throw new BallotError('election hash', 'the ballot is for other election parameters');
  if (ballot.signatureHash == null || ballot.signatureProof == null) throw new BallotError('signature', 'missing');
  if (ballot.signatureHash !== sha256B64(dumps(ballotStringsToJson(ballot, false)))) {
    throw new BallotError('signature hash', "does not match the ballot's content");
  }
  const credential = elementOfString(ballot.credential);
  if (credential === null) throw new BallotError('credential', 'not a group element');
  const commitment = schnorrCommitment(credential, ballot.signatureProof);
  if (hashToScalar(signaturePrefix(ballot.signatureHash), [commitment]) !== ballot.signatureProof.challenge) {
    throw new BallotError('signature proof');
  }
  if (ballot.answers.length !== e.questions.length) throw new BallotError('answers', `expected ${e.questions.length} answers`);
  const s0 = `${e.fingerprint}|${ballot.credential}`;
  e.questions.forEach((q, i) => checkAnswer(e, s0, q, ballot.answers[i], `question ${i + 1}`));
}

/**
 * Parse (canonical form required) and check a ballot string, as Python's
 * `verify_ballot_string`. Returns `{ok: true, tracker, credential}` or
 * `{ok: false, check, message}`; never throws on a bad ballot.
 */
export function verifyBallot(electionRaw, ballotString) {
  const e = election(electionRaw);
  try {
    const ballot = parseBallot(ballotString);
    checkBallot(e, ballot);
    return { ok: true, tracker: tracker(ballotString), credential: ballot.credential };
  } catch (exc) {
    if (exc instanceof BallotError) return { ok: false, check: exc.check, message: exc.message };
    throw exc;
  }
}
