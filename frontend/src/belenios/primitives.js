// ElGamal ciphertexts and disjunctive Chaum–Pedersen proofs (docs/protocol.md §1, §5), mirroring
// src/urne/crypto/primitives.py. A ciphertext is {alpha, beta} (points); a proof is
// {challenge, response} (BigInts); `random` is a function returning a scalar in [0, Q).
//
// The random scalars are drawn in exactly the order Python draws them, so the same scalars
// give byte-identical ballots (frontend/test/vectors.json checks it).

import {
  doubleMul, elementToString, GENERATOR, hashToScalar, IDENTITY, mul, mulBase, op, div, Q,
} from './group.js';

const smallPowers = new Map();

/** g^m for the few small messages of disjunctions (0/1, min..max): public, reused. */
function smallPower(m) {
  let p = smallPowers.get(m);
  if (!p) {
    p = mulBase(BigInt(m));
    smallPowers.set(m, p);
  }
  return p;
}

function shiftedBeta(c, m) {
  return m === 0 ? c.beta : div(c.beta, smallPower(m));
}

/** `(g^r, y^r·g^m)` (§5, Encryption). */
export function encrypt(publicKey, r, m) {
  return { alpha: mulBase(r), beta: op(mul(publicKey, r), mulBase(BigInt(m))) };
}

export function combine(a, b) {
  return { alpha: op(a.alpha, b.alpha), beta: op(a.beta, b.beta) };
}

export function combineAll(ciphertexts) {
  return ciphertexts.reduce(combine, { alpha: IDENTITY, beta: IDENTITY });
}

export function ciphertextToJson(c) {
  return { alpha: elementToString(c.alpha), beta: elementToString(c.beta) };
}

export function proofToJson(p) {
  return { challenge: p.challenge.toString(10), response: p.response.toString(10) };
}

const mod = (n) => ((n % Q) + Q) % Q;

/**
 * Prove that `statements[trueIndex]` = [ciphertext, m] holds with randomness `r`
 * (§5, `iprove`). Draws (challenge, response) for every other disjunct in order, then w.
 */
export function proveDisjunction(publicKey, prefix, statements, trueIndex, r, random) {
  const n = statements.length;
  if (!(trueIndex >= 0 && trueIndex < n)) throw new RangeError('the true disjunct is out of range');
  const proofs = new Array(n);
  const commitments = new Array(2 * n);
  let total = 0n;
  const trueAlpha = statements[trueIndex][0].alpha;
  for (let i = 0; i < n; i++) {
    if (i === trueIndex) continue;
    const [c, m] = statements[i];
    const challenge = random();
    const response = random();
    proofs[i] = { challenge, response };
    // α = g^r: g^(s + r·c) is one fixed-base multiplication (r is secret: constant time).
    commitments[2 * i] = c.alpha.equals(trueAlpha)
      ? mulBase(response + r * challenge)
      : doubleMul(GENERATOR, response, c.alpha, challenge);
    commitments[2 * i + 1] = doubleMul(publicKey, response, shiftedBeta(c, m), challenge);
    total += challenge;
  }
  const w = random();
  commitments[2 * trueIndex] = mulBase(w);
  commitments[2 * trueIndex + 1] = mul(publicKey, w);
  const challenge = mod(hashToScalar(prefix, commitments) - total);
  proofs[trueIndex] = { challenge, response: mod(w - r * challenge) };
  return proofs;
}

/** Recompute `A_i = g^s·α^c, B_i = y^s·(β/g^m)^c` for every disjunct (§5). */
export function disjunctionCommitments(publicKey, statements, proofs) {
  const out = [];
  statements.forEach(([c, m], i) => {
    const p = proofs[i];
    out.push(doubleMul(GENERATOR, p.response, c.alpha, p.challenge));
    out.push(doubleMul(publicKey, p.response, shiftedBeta(c, m), p.challenge));
  });
  return out;
}

/** Check a disjunctive proof: `H(prefix, A,B…) = Σ c mod q` (§5). */
export function verifyDisjunction(publicKey, prefix, statements, proofs) {
  if (proofs.length !== statements.length) return false;
  const commitments = disjunctionCommitments(publicKey, statements, proofs);
  const total = proofs.reduce((a, p) => a + p.challenge, 0n) % Q;
  return hashToScalar(prefix, commitments) === total;
}

/** `g^response · X^challenge`: what a Schnorr proof of log_g X commits to. */
export function schnorrCommitment(publicElement, proof) {
  return doubleMul(GENERATOR, proof.response, publicElement, proof.challenge);
}
