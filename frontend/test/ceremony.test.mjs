// The key ceremony's page crypto reproduces, byte for byte, what the Python core makes
// (make_ceremony_vectors.py): single keys, threshold steps 1, 3 and 5 with AES-GCM channels,
// passphrase-wrapped files; and the committed ceremony bundle is up to date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { hexToBytes } from '@noble/hashes/utils.js';
import { CEREMONY_OUTFILE, ceremonyOptions } from '../build.mjs';
import {
  certId, checkSingle, decryptKeyShare, generateSingleKey, privkeyFile, privkeyOfFile, singleKeyId, step1, step3, step5,
} from '../src/ceremony/keys.js';
import { isWrapped, unwrap, wrap, WrapError } from '../src/ceremony/keywrap.js';
import { dumps } from '../src/belenios/json.js';
import { listSource } from './helpers.mjs';

const vectors = JSON.parse(readFileSync(new URL('./ceremony_vectors.json', import.meta.url), 'utf8'));

function chars(list) {
  let i = 0;
  const choice = () => {
    if (i >= list.length) throw new Error('more characters drawn than Python did');
    return list[i++];
  };
  choice.remaining = () => list.length - i;
  return choice;
}

test('a single key and its proof, as Python makes them', () => {
  const v = vectors.single;
  const source = listSource(v.draws.scalars);
  const { privateKey, publicKey } = generateSingleKey(source);
  assert.equal(source.remaining(), 0);
  assert.equal(dumps(publicKey), v.pubkey);
  assert.equal(privkeyFile(privateKey), v.privkey);
  assert.equal(privkeyOfFile(v.privkey), privateKey);
  assert.equal(singleKeyId(publicKey), v.id);
  assert.ok(checkSingle(publicKey));
  assert.ok(!checkSingle({ ...publicKey, pok: { ...publicKey.pok, response: '1' } }));
});

test('threshold steps 1, 3 and 5 with AES-GCM channels, as Python makes them', async () => {
  const t = vectors.threshold;
  const n = t.members.length;
  const certs = t.certs.map((c) => JSON.parse(c));
  for (const [i, m] of t.members.entries()) {
    const choice = chars(m.step1_draws.chars);
    const source = listSource(m.step1_draws.scalars);
    const { seed, cert } = step1({ index: i + 1, threshold: t.threshold, size: n }, choice, source);
    assert.equal(choice.remaining() + source.remaining(), 0);
    assert.equal(seed, m.seed);
    assert.equal(dumps(cert), m.cert);
    assert.equal(certId(cert), m.id);
  }
  for (const m of t.members) {
    const source = listSource(m.step3_draws.scalars);
    assert.equal(dumps(await step3(certs, m.seed, source)), m.polynomial);
    assert.equal(source.remaining(), 0);
  }
  for (const m of t.members) {
    const source = listSource(m.step5_draws.scalars);
    const voutput = await step5(certs, m.seed, JSON.parse(m.vinput), source);
    assert.equal(source.remaining(), 0);
    assert.equal(dumps(voutput), m.voutput);
    assert.equal((await decryptKeyShare(m.seed, voutput.private_key)).toString(), m.share);
  }
  // Another member's key cannot run my step; an altered vinput is refused.
  await assert.rejects(step5(certs, t.members[1].seed, JSON.parse(t.members[0].vinput)));
  const vinput = JSON.parse(t.members[0].vinput);
  vinput.secrets = [vinput.secrets[1], vinput.secrets[0], vinput.secrets[2]];
  await assert.rejects(step5(certs, t.members[0].seed, vinput));
});

test('wrapped files, byte for byte as urne-trustee unwrap reads them', async () => {
  for (const v of vectors.wrapped) {
    const wrapped = await wrap(v.plaintext, v.passphrase, v.name, { n: v.n, salt: hexToBytes(v.salt), nonce: hexToBytes(v.nonce) });
    assert.equal(wrapped, v.wrapped);
    assert.ok(isWrapped(wrapped));
    assert.deepEqual(await unwrap(v.wrapped, v.passphrase.normalize('NFD')), { name: v.name, text: v.plaintext });
    await assert.rejects(unwrap(v.wrapped, v.passphrase + 'x'), WrapError);
    await assert.rejects(unwrap(v.wrapped.replace(v.name, 'other.key'), v.passphrase), WrapError);
  }
  await assert.rejects(wrap('x', '', 'a.key'), WrapError);
});

test('the committed ceremony bundle is up to date (run npm run build)', async () => {
  const result = await esbuild.build({ ...ceremonyOptions, write: false });
  assert.ok(readFileSync(CEREMONY_OUTFILE, 'utf8') === result.outputFiles[0].text, 'src/urne/bureau/static/bureau/ceremony.js is stale: run `npm run build` in frontend/');
});
