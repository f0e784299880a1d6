// The count page's holder side in node (the browser runs the same modules, bundled): the
// encrypted tally recomputed from ballots (belenios-tool 3.0's 30 ballots, read again and
// again), and partial decryptions of a national election's 1,778 tally slots.
//   npm run bench-count
import { readFileSync } from 'node:fs';
import { readArchive } from '../src/count/archive.js';
import { parseElection } from '../src/belenios/election.js';
import { encryptedTally, partialDecryption, tallyOfText, tallyText } from '../src/count/tally.js';

const v = JSON.parse(readFileSync(new URL('./count_vectors.json', import.meta.url), 'utf8'));
const bytes = new Uint8Array(readFileSync(new URL(`../../${v.archive}`, import.meta.url)));
const per = (ms, n) => `${(ms / n).toFixed(2)} ms`;

let t = performance.now();
const read = readArchive(bytes);
const readMs = performance.now() - t;
const election = parseElection(read.electionRaw);
const slots = election.questions.reduce((a, q) => a + q.size, 0);
const avg = Math.round(read.ballots.reduce((a, b) => a + b.length, 0) / read.ballots.length);
console.log(`archive read and checked (${bytes.length} bytes, ${read.ballots.length} ballots): ${readMs.toFixed(1)} ms`);

const ballots = Array.from({ length: 40 }, () => read.ballots).flat();
t = performance.now();
const tally = encryptedTally(election, ballots);
const tallyMs = performance.now() - t;
tallyText(tally);
console.log(`tally of ${ballots.length} ballots of ${slots} slots (${avg} bytes each): ${tallyMs.toFixed(0)} ms, ${per(tallyMs, ballots.length)} a ballot, ${Math.round(ballots.length / (tallyMs / 1000))} ballots/s`);

const x = BigInt(v.decryptions[0].secret);
const base = tallyOfText(v.tally);
const scrutins = Math.ceil(1778 / slots);
t = performance.now();
for (let i = 0; i < scrutins; i++) partialDecryption(election, base, x);
const pdMs = performance.now() - t;
console.log(`partial decryptions of ${scrutins} scrutins × ${slots} slots: ${pdMs.toFixed(0)} ms, ${per(pdMs, scrutins * slots)} a slot`);
