// Ballot creation and the self-check (docs/protocol.md §5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createBallot, deriveSecret, dumps, elementOfString, hashToScalar, mulBase, parseElection, Q, sha256B64, tracker,
  verifyBallot,
} from '../src/belenios/index.js';
import { seededSource, vectors } from './helpers.mjs';

const byName = (name) => vectors.cases.find((c) => c.name === name);
const lists = byName('nine lists + blank, list 3');
const several = byName('four questions, with administrator');
const IDENTITY = '0000000000000000000000000000000000000000000000000000000000000001';

/** Change one decimal (a proof value) inside the ballot, keeping it canonical and in [0, q). */
function alter(ballotString, edit) {
  const obj = JSON.parse(ballotString);
  edit(obj);
  return JSON.stringify(obj); // ballots are ASCII: JSON.stringify is canonical for them
}
const bump = (p, key) => { p[key] = ((BigInt(p[key]) + 1n) % Q).toString(); };

test('verifyBallot accepts every vector ballot', () => {
  for (const v of vectors.cases) assert.equal(verifyBallot(v.election, v.ballot).ok, true, v.name);
});

test('verifyBallot refuses a ballot with one altered proof, naming the proof', () => {
  const cases = [
    [(b) => bump(b.answers[0].individual_proofs[4][1], 'response'), 'question 1 choice 5: individual proof'],
    [(b) => bump(b.answers[0].individual_proofs[0][0], 'challenge'), 'question 1 choice 1: individual proof'],
    [(b) => bump(b.answers[0].overall_proof[1], 'challenge'), 'question 1: overall proof'],
    [(b) => bump(b.answers[0].blank_proof[1], 'response'), 'question 1: blank proof'],
  ];
  const secret = deriveSecret(lists.uuid, lists.credential);
  for (const [edit, check] of cases) {
    const altered = alter(lists.ballot, edit);
    // The signature covers the proofs: altered as is, the signature hash no longer matches.
    assert.deepEqual(pick(verifyBallot(lists.election, altered)), { ok: false, check: 'signature hash' });
    // Re-signed by the voter after the change, the altered proof itself is refused.
    assert.deepEqual(pick(verifyBallot(lists.election, signWith(altered, secret))), { ok: false, check });
  }
  const sig = alter(lists.ballot, (b) => bump(b.signature.proof, 'response'));
  assert.deepEqual(pick(verifyBallot(lists.election, sig)), { ok: false, check: 'signature proof' });
  // Several questions: an altered proof of question 3 (blank vote) is found there.
  const s2 = deriveSecret(several.uuid, several.credential);
  const q3 = alter(several.ballot, (b) => bump(b.answers[2].overall_proof[0], 'response'));
  assert.deepEqual(pick(verifyBallot(several.election, signWith(q3, s2))), { ok: false, check: 'question 3: overall proof' });
  // The re-signing helper itself is sound: an unaltered ballot re-signed is accepted.
  assert.equal(verifyBallot(lists.election, signWith(lists.ballot, secret)).ok, true);
});

const pick = ({ ok, check }) => ({ ok, check });

/** Re-sign a (modified) ballot with the voter's secret, as a dishonest client could. */
function signWith(ballotString, secret) {
  const { signature: _old, ...unsigned } = JSON.parse(ballotString);
  const hash = sha256B64(dumps(unsigned));
  const w = 12345678901234567890n;
  const challenge = hashToScalar(`sig|${hash}|`, [mulBase(w)]);
  const response = (((w - secret * challenge) % Q) + Q) % Q;
  return dumps({ ...unsigned, signature: { hash, proof: { challenge: challenge.toString(), response: response.toString() } } });
}

test('verifyBallot refuses non-canonical text, another election, a bad element', () => {
  assert.equal(verifyBallot(lists.election, lists.ballot + ' ').check, 'canonical JSON');
  assert.equal(verifyBallot(lists.election, JSON.stringify(JSON.parse(lists.ballot), null, 1)).check, 'canonical JSON');
  assert.equal(verifyBallot(lists.election, '{').check, 'format');
  assert.equal(verifyBallot(several.election, lists.ballot).check, 'election uuid');
  const badChoice = alter(lists.ballot, (b) => { b.answers[0].choices[2].alpha = '7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec'; });
  const secret = deriveSecret(lists.uuid, lists.credential);
  assert.equal(verifyBallot(lists.election, signWith(badChoice, secret)).check, 'question 1 choice 3: group membership');
  const upper = alter(lists.ballot, (b) => { b.credential = b.credential.toUpperCase(); });
  assert.equal(verifyBallot(lists.election, upper).check, 'format');
  const unsigned = alter(lists.ballot, (b) => { delete b.signature; });
  assert.equal(verifyBallot(lists.election, unsigned).check, 'signature');
});

test('a ballot made with randomness 0 (alpha = identity) is accepted', () => {
  const secret = deriveSecret(lists.uuid, lists.credential);
  // Draw 0 is the blank slot's r, draw 1 list 1's r; draw 10 is a fake challenge.
  const ballot = createBallot(lists.election, secret, lists.plaintext, seededSource('zero', { 0: 0n, 1: 0n, 10: 0n }));
  const parsed = JSON.parse(ballot);
  assert.equal(parsed.answers[0].choices[0].alpha, IDENTITY);
  assert.equal(parsed.answers[0].choices[1].alpha, IDENTITY);
  assert.deepEqual(verifyBallot(lists.election, ballot), { ok: true, tracker: tracker(ballot), credential: lists.public_credential });
  // Every draw zero, the signature's too.
  const zeros = createBallot(several.election, deriveSecret(several.uuid, several.credential), several.plaintext, () => 0n);
  assert.equal(verifyBallot(several.election, zeros).ok, true);
});

test('ballots with real randomness verify, and differ every time', () => {
  const seen = new Set();
  for (const v of [lists, several, byName('one answer, no blank, none')]) {
    const secret = deriveSecret(v.uuid, v.typed_credential);
    for (let i = 0; i < 2; i++) {
      const ballot = createBallot(v.election, secret, v.plaintext);
      assert.equal(verifyBallot(v.election, ballot).ok, true);
      seen.add(ballot);
    }
  }
  assert.equal(seen.size, 6);
});

test('createBallot refuses choices the question does not accept', () => {
  const secret = deriveSecret(lists.uuid, lists.credential);
  const z = Array(10).fill(0);
  const refuse = (plaintext, message) =>
    assert.throws(() => createBallot(lists.election, secret, plaintext, seededSource('x')), { message });
  refuse([z], 'between 1 and 1 answers must be selected');
  refuse([[0, 1, 1, 0, 0, 0, 0, 0, 0, 0]], 'between 1 and 1 answers must be selected');
  refuse([[1, 1, 0, 0, 0, 0, 0, 0, 0, 0]], 'a blank vote selects no answer');
  refuse([[0, 2, 0, 0, 0, 0, 0, 0, 0, 0]], 'every value of a choice must be 0 or 1');
  refuse([z.slice(1)], 'expected 10 values, got 9');
  refuse([z, z], 'expected 1 answers, got 2');
  assert.throws(() => createBallot(lists.election, secret, lists.plaintext, () => Q), RangeError);
  assert.throws(() => createBallot(lists.election, secret, lists.plaintext, () => 1), RangeError);
});

test('parseElection refuses what Python refuses', () => {
  const base = JSON.parse(lists.election);
  const bad = (edit) => { const o = structuredClone(base); edit(o); return JSON.stringify(o); };
  assert.throws(() => parseElection(bad((o) => { o.version = 2; })), /unsupported version/);
  assert.throws(() => parseElection(bad((o) => { o.group = 'BELENIOS-2048'; })), /only Ed25519/);
  assert.throws(() => parseElection(bad((o) => { o.public_key = '7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec'; })), /not a group element/);
  assert.throws(() => parseElection(bad((o) => { o.questions[0].max = 11; })), /question bounds/);
  assert.throws(() => parseElection(bad((o) => { o.questions[0].type = 'NonHomomorphic'; })), /not supported/);
  assert.throws(() => parseElection(bad((o) => { o.uuid = 'short'; })), /invalid election uuid/);
  assert.throws(() => parseElection(bad((o) => { o.extra = 1; })), /unexpected field/);
  assert.throws(() => parseElection(bad((o) => { o.questions = []; })), /no question/);
  assert.ok(elementOfString(JSON.parse(lists.election).public_key));
});
