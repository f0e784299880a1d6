// Every vector made by the Python core (make_vectors.py) is reproduced byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createBallot, deriveSecret, dumps, elementOfString, fingerprint, normaliseCredential, parseElection,
  publicCredential, tracker, verifyBallot,
} from '../src/belenios/index.js';
import { listSource, vectors } from './helpers.mjs';

for (const v of vectors.cases) {
  test(`ballot vector: ${v.name}`, () => {
    const election = parseElection(v.election);
    assert.equal(election.uuid, v.uuid);
    assert.equal(election.fingerprint, v.fingerprint);
    assert.equal(fingerprint(v.election), v.fingerprint);

    const normalised = normaliseCredential(v.typed_credential);
    assert.deepEqual(normalised, { ok: true, credential: v.credential });
    const secret = deriveSecret(v.uuid, v.typed_credential);
    assert.equal(secret.toString(), v.secret);
    assert.equal(publicCredential(v.uuid, v.typed_credential), v.public_credential);

    const source = listSource(v.randomness);
    const ballot = createBallot(v.election, secret, v.plaintext, source);
    assert.equal(source.remaining(), 0, 'the ballot drew fewer scalars than Python did');
    assert.equal(ballot, v.ballot);
    assert.equal(tracker(ballot), v.tracker);
    // The same from the parsed election and the decimal secret.
    assert.equal(createBallot(election, v.secret, v.plaintext, listSource(v.randomness)), v.ballot);

    assert.deepEqual(verifyBallot(v.election, v.ballot), { ok: true, tracker: v.tracker, credential: v.public_credential });
  });
}

test('normalisation: the same results and English messages as Python', () => {
  for (const n of vectors.normalisation) {
    const result = normaliseCredential(n.typed);
    if ('credential' in n) {
      assert.deepEqual(result, { ok: true, credential: n.credential }, JSON.stringify(n.typed));
    } else {
      assert.equal(result.ok, false, JSON.stringify(n.typed));
      assert.equal(result.messages.en, n.error, JSON.stringify(n.typed));
      assert.ok(result.messages.fr.length > 0);
    }
  }
});

test('elements: the same membership answers as Python (libsodium)', () => {
  for (const e of vectors.elements) {
    let status;
    try {
      status = elementOfString(e.string) === null ? 'refused' : 'member';
    } catch {
      status = 'format';
    }
    assert.equal(status, e.status, e.name);
  }
});

test('canonical JSON: the same text as Python', () => {
  for (const j of vectors.json) assert.equal(dumps(j.value), j.text);
});
