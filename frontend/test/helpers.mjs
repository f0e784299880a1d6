// Shared by the node tests: the Python-made vectors and deterministic scalar sources.
import { readFileSync } from 'node:fs';
import { Q, sha256Hex } from '../src/belenios/index.js';

export const vectors = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8'));

/** Hands out the recorded scalars in order; `remaining()` tells how many were not drawn. */
export function listSource(decimals) {
  const scalars = decimals.map(BigInt);
  let i = 0;
  const source = () => {
    if (i >= scalars.length) throw new Error('the ballot drew more scalars than Python did');
    return scalars[i++];
  };
  source.remaining = () => scalars.length - i;
  return source;
}

/** A deterministic scalar source (SHA-256 of seed|counter, mod q), with scalars forced at some draws. */
export function seededSource(seed, forced = {}) {
  let i = 0;
  return () => {
    const n = i++;
    if (n in forced) return forced[n];
    return BigInt('0x' + sha256Hex(`${seed}|${n}`)) % Q;
  };
}
