// The count page's crypto against belenios-tool 3.0's own election (tests/data) and the
// Python-made vectors (make_count_vectors.py): the archive read and its encrypted tally
// recomputed from the ballots, the factors belenios-tool computed, partial decryptions byte
// for byte as Python makes them, the holder's file, the key files (plain, wrapped, a
// delegate's seed and share), the refusals; and the committed count bundle is up to date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { COUNT_OUTFILE, countOptions } from '../build.mjs';
import { parseElection } from '../src/belenios/election.js';
import { dumps } from '../src/belenios/json.js';
import { mulBase } from '../src/belenios/group.js';
import { readArchive, readRecords } from '../src/count/archive.js';
import {
  bundleDumps, checkPartialDecryption, decryptionKeys, encryptedTally, ownerOf, partialDecryption, tallyOfText, tallyText,
} from '../src/count/tally.js';
import { checkScrutin, decryptAll, HolderError, readSecret } from '../src/count/holder.js';
import { listSource } from './helpers.mjs';

const v = JSON.parse(readFileSync(new URL('./count_vectors.json', import.meta.url), 'utf8'));
const ceremony = JSON.parse(readFileSync(new URL('./ceremony_vectors.json', import.meta.url), 'utf8'));
const archive = new Uint8Array(readFileSync(new URL(`../../${v.archive}`, import.meta.url)));
const read = readArchive(archive);
const election = parseElection(read.electionRaw);

test("belenios-tool 3.0's archive read: its election, trustees, ballots and encrypted tally", () => {
  assert.equal(election.uuid, v.uuid);
  assert.equal(read.ballots.length, v.ballots);
  assert.equal(read.tallyText, dumps(v.belenios_tally));
  assert.equal(read.hasResult, true);
  assert.deepEqual(decryptionKeys(read.trusteesRaw).map(([id]) => id), [1, 2, 3, 4]);
});

test("the encrypted tally recomputed from the ballots is belenios-tool's and Python's", () => {
  const text = tallyText(encryptedTally(election, read.ballots));
  assert.equal(text, v.tally);
  assert.equal(text, dumps(v.belenios_tally));
  assert.equal(tallyText(tallyOfText(text)), text);
  assert.notEqual(tallyText(encryptedTally(election, read.ballots.slice(1))), text);
});

test("partial decryptions: belenios-tool's factors, Python's bytes, proofs that check", () => {
  const tally = tallyOfText(v.tally);
  for (const d of v.decryptions) {
    const x = BigInt(d.secret);
    assert.equal(ownerOf(read.trusteesRaw, x), d.owner);
    const source = listSource(d.draws);
    const ours = partialDecryption(election, tally, x, source);
    assert.equal(source.remaining(), 0);
    assert.equal(dumps(ours), d.ours);
    const theirs = JSON.parse(d.belenios);
    assert.deepEqual(ours.decryption_factors, theirs.decryption_factors);
    assert.ok(checkPartialDecryption(election, tally, mulBase(x), theirs), `belenios-tool's proofs of ${d.owner}`);
    assert.ok(checkPartialDecryption(election, tally, mulBase(x), ours));
    assert.ok(!checkPartialDecryption(election, tally, mulBase(x + 1n), ours));
    const broken = structuredClone(ours);
    broken.decryption_proofs[0][3].response = '1';
    assert.ok(!checkPartialDecryption(election, tally, mulBase(x), broken));
  }
});

test("the holder's file is urne.decryptions's, byte for byte", () => {
  const entries = v.decryptions.map((d) => [v.uuid, d.owner, d.ours]).reverse();
  assert.equal(bundleDumps(entries), v.bundle);
});

test('an archive that already has its result is refused', () => {
  assert.throws(() => checkScrutin({ uuid: v.uuid, archive, tally: v.tally }), (e) => e instanceof HolderError && e.code === 'result_done');
});

function archiveWithoutResult() {
  // The records up to the EncryptedTally event: what a holder fetches during the count.
  const records = readRecords(archive);
  const last = records.findIndex((r) => r.name.endsWith('.event.json') && new TextDecoder().decode(r.body).includes('"type":"EncryptedTally"'));
  let size = 0;
  for (const r of records.slice(0, last + 1)) size += 512 + Math.ceil(r.body.length / 512) * 512;
  return archive.subarray(0, size);
}

test('a tally that is not the ballots’ product is refused, the good one decrypted', () => {
  const open = archiveWithoutResult();
  const good = checkScrutin({ uuid: v.uuid, name: 'CSE', archive: open, tally: v.tally });
  assert.equal(good.ballots, 30);
  const lessOne = tallyText(encryptedTally(election, read.ballots.slice(1)));
  assert.throws(
    () => checkScrutin({ uuid: v.uuid, name: 'CSE', archive: open, tally: lessOne }),
    (e) => e instanceof HolderError && e.code === 'tally_mismatch' && e.scrutin === 'CSE',
  );
  assert.throws(() => checkScrutin({ uuid: 'AAAAAAAAAAAAAA', archive: open, tally: v.tally }), (e) => e.code === 'archive_other');
  const altered = open.slice();
  altered[3 * 512 + 10] ^= 1; // inside the election's record
  assert.throws(() => checkScrutin({ uuid: v.uuid, archive: altered, tally: v.tally }), (e) => e.code === 'archive_unreadable');
  const d = v.decryptions[0];
  const bundle = decryptAll([good], BigInt(d.secret), listSource(d.draws));
  assert.equal(bundle, bundleDumps([[v.uuid, 1, d.ours]]));
  assert.throws(() => decryptAll([good], 12345n), (e) => e.code === 'wrong_key');
});

test('key files: a privkey plain or wrapped, a delegate seed with its dkey', async () => {
  const x = BigInt(v.decryptions[0].secret);
  assert.equal(await readSecret(JSON.stringify(x.toString()) + '\n'), x);
  const w = v.wrapped_privkey;
  assert.equal(await readSecret(w.wrapped, null, w.passphrase), x);
  await assert.rejects(readSecret(w.wrapped, null, 'wrong'), (e) => e.code === 'wrong_passphrase');
  await assert.rejects(readSecret(w.wrapped), (e) => e.code === 'passphrase_needed');
  await assert.rejects(readSecret('not a key'), (e) => e.code === 'not_key_file');
  const m = ceremony.threshold.members[0];
  await assert.rejects(readSecret(m.seed + '\n'), (e) => e.code === 'dkey_needed');
  assert.equal(await readSecret(m.seed + '\n', JSON.parse(m.voutput).private_key + '\n'), BigInt(m.share));
});

test('the committed count bundle is up to date (run npm run build)', async () => {
  const result = await esbuild.build({ ...countOptions, write: false });
  assert.ok(readFileSync(COUNT_OUTFILE, 'utf8') === result.outputFiles[0].text, 'src/urne/count/static/count/count.js is stale: run `npm run build` in frontend/');
});
