// How long the booth's crypto takes in node: one ballot for 9 lists + blank (the
// professional-election question), its self-check, and the credential derivation.
//   npm run bench            (ES modules)     npm run bench -- --bundle   (built bundle)
import { vectors } from './helpers.mjs';

const useBundle = process.argv.includes('--bundle');
const api = useBundle ? (await import('./load-bundle.mjs')).loadBundle() : await import('../src/belenios/index.js');
const v = vectors.cases.find((c) => c.name === 'nine lists + blank, list 3');

function time(label, runs, fn) {
  for (let i = 0; i < 3; i++) fn(); // warm-up (JIT, noble's base-point table)
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) fn();
  const ms = (performance.now() - t0) / runs;
  console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(7)} ms`);
  return ms;
}

const t0 = performance.now();
const election = api.parseElection(v.election);
console.log(`${'parse the election (first time, incl. key precomputation)'.padEnd(58)} ${(performance.now() - t0).toFixed(1).padStart(7)} ms`);
const secret = api.deriveSecret(v.uuid, v.typed_credential);
time('derive secret + public credential', 20, () => api.publicCredential(v.uuid, v.typed_credential));
const ms = time('create one ballot, 9 lists + blank (parsed election)', 20, () => api.createBallot(election, secret, v.plaintext));
time('create one ballot, 9 lists + blank (from the raw text)', 10, () => api.createBallot(v.election, secret, v.plaintext));
const ballot = api.createBallot(election, secret, v.plaintext);
time('verify that ballot (self-check)', 10, () => api.verifyBallot(election, ballot));
console.log(`node ${process.version}, ${useBundle ? 'built bundle' : 'ES modules'}: ${ms.toFixed(1)} ms per ballot`);
