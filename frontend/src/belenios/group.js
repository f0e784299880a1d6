// The Ed25519 group as Belenios uses it (docs/protocol.md §2.3), mirroring
// src/urne/crypto/group.py.
//
// Elements are @noble/curves Edwards points; Belenios writes them as the byte-reverse of the
// RFC 8032 encoding, i.e. a big-endian 64-char lowercase hex number. Scalars are BigInts in
// [0, Q). The identity (`00…01`, g^0) is a member, as in Belenios: noble refuses it in
// `multiply` and `assertValidity`, so it is handled here explicitly, like the Python side does
// for libsodium.

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const Point = ed25519.Point;

/** The prime order of the group (l in RFC 8032), docs/protocol.md §2.3. */
export const Q = 2n ** 252n + 27742317777372353535851937790883648493n;
/** The group's description string (docs/protocol.md §6.1). */
export const DESCRIPTION = 'Ed25519';
export const IDENTITY = Point.ZERO;
export const GENERATOR = Point.BASE;

const HEX64 = /^[0-9a-f]{64}$/;
const LONE_SURROGATE = /\p{Cs}/u;

/** An input is not an element or a scalar of the group. */
export class GroupError extends Error {
  constructor(message) {
    super(message);
    this.name = 'GroupError';
  }
}

/** UTF-8 bytes of a string; refuses lone surrogates, which Python cannot encode either. */
export function utf8(text) {
  if (LONE_SURROGATE.test(text)) throw new TypeError('text with a lone surrogate has no UTF-8 form');
  return new TextEncoder().encode(text);
}

/** SHA-256 as 64 lowercase hex chars (`Hash.t`, §1). */
export function sha256Hex(text) {
  return bytesToHex(sha256(utf8(text)));
}

/** Belenios's "b64 hash": unpadded standard Base64 of SHA-256 (§1). */
export function sha256B64(text) {
  const digest = sha256(utf8(text));
  let binary = '';
  for (const b of digest) binary += String.fromCharCode(b);
  return btoa(binary).replace(/=+$/, '');
}

// -- encodings ------------------------------------------------------------------------------

/** Belenios `G.to_string`: big-endian lowercase hex, 64 chars (§2.3). */
export function elementToString(e) {
  return bytesToHex(e.toBytes().reverse());
}

/** True when `s` has the shape of an element string (64 lowercase hex digits). */
export function isElementString(s) {
  return typeof s === 'string' && HEX64.test(s);
}

/**
 * Decode an element string and check membership (Belenios `G.check`, §1, §2.3): canonical
 * encoding (y < p, no "negative zero" x), on the curve, and of order Q (`Q·P = O`). The
 * identity is a member; the other small-order points and points with a torsion component are
 * not. Returns the point, or null when `s` is not a member. Throws GroupError when `s` is not
 * even shaped as an element string (Python's `element_of_string`).
 */
export function elementOfString(s) {
  if (!isElementString(s)) {
    throw new GroupError(`not a group element encoding: ${JSON.stringify(String(s).slice(0, 70))}`);
  }
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[31 - i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  let p;
  try {
    p = Point.fromBytes(bytes, false); // zip215 = false: RFC 8032 canonical decoding
  } catch {
    return null; // y ≥ p, not on the curve, or x = 0 with the sign bit set
  }
  if (p.is0()) return p;
  return p.isTorsionFree() ? p : null;
}

/** `check` on an element string: true iff it is the encoding of a group member. */
export function checkElementString(s) {
  return isElementString(s) && elementOfString(s) !== null;
}

// -- operations -----------------------------------------------------------------------------

function reduce(n) {
  const r = n % Q;
  return r < 0n ? r + Q : r;
}

/** `e^n` for a secret scalar n (constant-time multiplication in noble). */
export function mul(e, n) {
  n = reduce(n);
  if (n === 0n || e.is0()) return IDENTITY;
  return e.multiply(n);
}

/** `g^n` for a secret scalar n, with noble's precomputed base table. */
export function mulBase(n) {
  return mul(GENERATOR, n);
}

/** `a^m · b^n` for public scalars (proof values): variable-time multiplications. */
export function doubleMul(a, m, b, n) {
  return a.multiplyUnsafe(reduce(m)).add(b.multiplyUnsafe(reduce(n)));
}

export function op(a, b) {
  return a.add(b);
}

export function div(a, b) {
  return a.subtract(b);
}

export function product(elements) {
  let acc = IDENTITY;
  for (const e of elements) acc = acc.add(e);
  return acc;
}

export function equals(a, b) {
  return a.equals(b);
}

// -- scalars and hashing --------------------------------------------------------------------

/** Scalars are decimal strings in JSON (§1). */
export function scalarToString(n) {
  return n.toString(10);
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Parse a canonical decimal scalar in [0, Q) (§1); throws GroupError otherwise. */
export function scalarOfString(s) {
  if (typeof s !== 'string' || s.length > 80 || !/^[0-9]+$/.test(s)) {
    throw new GroupError(`not a scalar: ${JSON.stringify(String(s).slice(0, 90))}`);
  }
  if (!DECIMAL.test(s)) throw new GroupError(`scalar with leading zeros: ${JSON.stringify(s)}`);
  const n = BigInt(s);
  if (n >= Q) throw new GroupError('scalar out of range [0, q)');
  return n;
}

/** Fiat–Shamir challenge `G.hash` (§1): SHA-256 of prefix‖e1,…,ek read big-endian, mod Q. */
export function hashToScalar(prefix, elements) {
  const text = prefix + elements.map(elementToString).join(',');
  return BigInt('0x' + sha256Hex(text)) % Q;
}

// -- randomness -----------------------------------------------------------------------------

/**
 * A uniform scalar from the browser's CSPRNG (§1). 64 random bytes (512 bits) reduced mod Q
 * (a 253-bit prime): the distance from uniform is below 2^-259, negligible, and there is no
 * rejection loop. Belenios's tool does the same with bitlen(q)/8+17 bytes.
 */
export function secureScalar() {
  const bytes = new Uint8Array(64);
  globalThis.crypto.getRandomValues(bytes);
  return BigInt('0x' + bytesToHex(bytes)) % Q;
}
