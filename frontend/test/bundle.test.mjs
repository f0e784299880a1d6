// The committed bundle is what `npm run build` makes from these sources, and it works as a
// classic browser script (window.UrneBelenios) reproducing the Python vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { options } from '../build.mjs';
import { listSource, vectors } from './helpers.mjs';
import { BUNDLE, loadBundle } from './load-bundle.mjs';

test('the committed bundle is up to date (run npm run build)', async () => {
  const result = await esbuild.build({ ...options, write: false });
  assert.equal(result.outputFiles.length, 1);
  assert.ok(readFileSync(BUNDLE, 'utf8') === result.outputFiles[0].text, 'src/urne/booth/static/booth/belenios.js is stale: run `npm run build` in frontend/');
});

test('the bundle defines a frozen window.UrneBelenios that reproduces the vectors', () => {
  const api = loadBundle();
  assert.ok(Object.isFrozen(api));
  for (const name of ['normaliseCredential', 'deriveSecret', 'publicCredential', 'createBallot', 'verifyBallot', 'tracker', 'parseElection', 'fingerprint']) {
    assert.equal(typeof api[name], 'function', name);
  }
  for (const v of vectors.cases) {
    assert.equal(api.normaliseCredential(v.typed_credential).credential, v.credential);
    assert.equal(api.publicCredential(v.uuid, v.typed_credential), v.public_credential);
    const secret = api.deriveSecret(v.uuid, v.typed_credential);
    assert.equal(api.createBallot(v.election, secret, v.plaintext, listSource(v.randomness)), v.ballot);
    assert.equal(api.tracker(v.ballot), v.tracker);
  }
  const v = vectors.cases[0];
  const ballot = api.createBallot(v.election, api.deriveSecret(v.uuid, v.credential), v.plaintext);
  assert.equal(api.verifyBallot(v.election, ballot).ok, true);
});
