// Group membership, encodings, scalars and the Fiat–Shamir hash (docs/protocol.md §1, §2.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  checkElementString, elementOfString, elementToString, GroupError, hashToScalar, mulBase, Q, scalarOfString,
  secureScalar,
} from '../src/belenios/index.js';

const IDENTITY = '0000000000000000000000000000000000000000000000000000000000000001';
const GENERATOR = '6666666666666666666666666666666666666666666666666666666666666658';
const P = 2n ** 255n - 19n;
const hex = (n) => n.toString(16).padStart(64, '0');

test('the identity (g^0) is a member and is what g^0 encodes to', () => {
  assert.ok(checkElementString(IDENTITY));
  assert.ok(elementOfString(IDENTITY).is0());
  assert.equal(elementToString(mulBase(0n)), IDENTITY);
  assert.equal(elementToString(mulBase(Q)), IDENTITY);
});

test('the generator encodes as the byte-reverse of RFC 8032 (6666…6658)', () => {
  assert.equal(elementToString(mulBase(1n)), GENERATOR);
  assert.ok(checkElementString(GENERATOR));
  assert.equal(elementToString(elementOfString(GENERATOR)), GENERATOR);
});

test('the order-2 point 7fff…ffec is refused', () => {
  assert.equal(elementOfString('7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec'), null);
});

test('a point off the curve is refused', () => {
  assert.equal(elementOfString(hex(2n)), null);
});

test('non-canonical encodings (y ≥ p, negative zero) are refused', () => {
  assert.equal(elementOfString(hex(P + 1n)), null); // the identity, y = 1 + p
  assert.equal(elementOfString(hex(P)), null); // y = 0 + p
  assert.equal(elementOfString(hex(2n ** 255n + 1n)), null); // x = 0 with the sign bit
});

test('a point with a torsion component (g + a small-order point) is refused', () => {
  const Point = ed25519.Point;
  const reversed = (s) => Uint8Array.from(s.match(/../g).reverse().map((b) => parseInt(b, 16)));
  const order2 = Point.fromBytes(reversed('7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec'));
  const order8 = Point.fromBytes(reversed('7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7'));
  for (const t of [order2, order8]) {
    const dirty = elementToString(Point.BASE.add(t));
    assert.equal(elementOfString(dirty), null);
    assert.equal(elementOfString(elementToString(t)), null);
  }
});

test('strings that are not 64 lowercase hex digits are a format error', () => {
  for (const s of [GENERATOR.toUpperCase().replace('6658', '665A'), GENERATOR.slice(1), '0' + GENERATOR, '', 42]) {
    assert.throws(() => elementOfString(s), GroupError);
    assert.equal(checkElementString(s), false);
  }
});

test('scalars: canonical decimals in [0, q) only', () => {
  assert.equal(scalarOfString('0'), 0n);
  assert.equal(scalarOfString((Q - 1n).toString()), Q - 1n);
  for (const s of ['', '01', '-1', '+1', '1.0', ' 1', Q.toString(), '1'.repeat(81), '١']) {
    assert.throws(() => scalarOfString(s), GroupError, s);
  }
});

test('hashToScalar is SHA-256 of prefix‖e1,…,ek read big-endian mod q', () => {
  // sha256("abc") = ba7816bf…15ad
  const digest = 0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015adn;
  assert.equal(hashToScalar('abc', []), digest % Q);
  const g = elementOfString(GENERATOR);
  const id = elementOfString(IDENTITY);
  assert.equal(hashToScalar('p|', [g, id]), hashToScalar(`p|${GENERATOR},${IDENTITY}`, []));
});

test('secureScalar draws distinct scalars in [0, q)', () => {
  const seen = new Set();
  for (let i = 0; i < 50; i++) {
    const n = secureScalar();
    assert.equal(typeof n, 'bigint');
    assert.ok(n >= 0n && n < Q);
    seen.add(n);
  }
  assert.equal(seen.size, 50);
});
