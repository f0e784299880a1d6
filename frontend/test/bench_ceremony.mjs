// How long the key ceremony's page crypto takes in node (ADR 0722): a single key, the
// threshold steps 1, 3 and 5 of a group of n delegates, and the passphrase wrapping
// (scrypt n = 2^17 + AES-256-GCM, ADR 0721).
//   node test/bench_ceremony.mjs
import { generateSingleKey, step1, step3, step5 } from '../src/ceremony/keys.js';
import { unwrap, wrap } from '../src/ceremony/keywrap.js';

async function time(label, fn) {
  const t0 = performance.now();
  const out = await fn();
  console.log(`${label.padEnd(52)} ${(performance.now() - t0).toFixed(0).padStart(7)} ms`);
  return out;
}

await time('single key with its proof', () => generateSingleKey());
const wrapped = await time('wrap a key file (scrypt 2^17 + AES-GCM)', () => wrap('x'.repeat(23), 'phrase de passe', 'a.key'));
await time('unwrap it', () => unwrap(wrapped, 'phrase de passe'));
for (const [n, t] of [[3, 2], [7, 4]]) {
  const members = [];
  await time(`step 1, one delegate (n = ${n})`, () => members.push(step1({ index: 1, threshold: t, size: n })));
  for (let i = 2; i <= n; i++) members.push(step1({ index: i, threshold: t, size: n }));
  const certs = members.map((m) => m.cert);
  const polys = [await time(`step 3, one delegate (n = ${n}, t = ${t})`, () => step3(certs, members[0].seed))];
  for (const m of members.slice(1)) polys.push(await step3(certs, m.seed));
  // The coordinator's step 4 for delegate 1, as urne.crypto.threshold.step4 routes it.
  const vinput = {
    polynomial: polys[0].polynomial,
    secrets: polys.map((p) => p.secrets[0]),
    coefexps: polys.map((p) => p.coefexps),
    signatures: polys.map((p) => p.signature),
  };
  await time(`step 5, one delegate (n = ${n}, t = ${t})`, () => step5(certs, members[0].seed, vinput));
}
console.log(`node ${process.version}`);
