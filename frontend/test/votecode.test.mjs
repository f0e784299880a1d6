// Vote codes in JS (src/votecode) against the vectors made by Python (votecode_vectors.json),
// and the properties the check character promises; the bundle exports them too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  credentialOfVoteCode, normaliseVoteCode, VOTE_CODE_ALPHABET, voteCodeFromValue, voteCodeOfCredential,
  voteCodePublicCredentials,
} from '../src/votecode/index.js';
import { loadBundle } from './load-bundle.mjs';

const V = JSON.parse(readFileSync(new URL('./votecode_vectors.json', import.meta.url), 'utf8'));

test('same alphabet as Python', () => assert.equal(VOTE_CODE_ALPHABET, V.alphabet));

test('mapping vectors: value → code → credential → public credential, and back', () => {
  for (const c of V.mapping) {
    assert.equal(voteCodeFromValue(BigInt(c.value)), c.code);
    assert.equal(credentialOfVoteCode(c.code), c.credential);
    assert.equal(voteCodeOfCredential(c.credential), c.code);
    assert.deepEqual(voteCodePublicCredentials(c.code, [V.uuid]), { [V.uuid]: c.public_credential });
  }
});

test('normalisation vectors', () => {
  for (const c of V.normalise) assert.deepEqual(normaliseVoteCode(c.typed), { ok: true, code: c.code }, c.typed);
  for (const c of V.refused) {
    const r = normaliseVoteCode(c.typed);
    assert.equal(r.ok, false, c.typed);
    assert.equal(r.reason, c.reason, c.typed);
    assert.ok(r.messages.fr && r.messages.en);
  }
});

test('every single substitution and adjacent transposition is caught', () => {
  for (const c of V.mapping.slice(5, 10)) {
    const s = c.code.replace(/-/g, '');
    for (let i = 0; i < s.length; i += 1) {
      for (const o of VOTE_CODE_ALPHABET) {
        if (o === s[i]) continue;
        assert.equal(normaliseVoteCode(s.slice(0, i) + o + s.slice(i + 1)).reason, 'check');
      }
      if (i + 1 < s.length && s[i] !== s[i + 1]) {
        assert.equal(normaliseVoteCode(s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2)).reason, 'check');
      }
    }
  }
});

test('messages name the problem in French and English', () => {
  const r = normaliseVoteCode('O0');
  assert.equal(r.messages.fr, 'caractères jamais utilisés dans un code de vote : 0 O');
  const l = normaliseVoteCode('ABC');
  assert.equal(l.count, 3);
  assert.equal(l.messages.en, 'a vote code has 25 characters, 3 were given');
});

test('the bundle exports the vote-code functions', () => {
  const api = loadBundle();
  const c = V.mapping[3];
  assert.equal(api.credentialOfVoteCode(c.code), c.credential);
  assert.equal(api.normaliseVoteCode(c.code.toLowerCase()).code, c.code);
});
