// Canonical JSON (docs/protocol.md §1): what JavaScript could write differently from Python is
// refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumps } from '../src/belenios/index.js';

test('escapes as Python json.dumps(ensure_ascii=False) plus U+007F', () => {
  assert.equal(dumps('\u007f'), '"\\u007f"');
  assert.equal(dumps('a/b'), '"a/b"');
  assert.equal(dumps('\u0000\u001f'), '"\\u0000\\u001f"');
  assert.equal(dumps('é😀\u2028'), '"é😀\u2028"');
  assert.equal(dumps({ b: 1, a: 2 }), '{"b":1,"a":2}');
  assert.equal(dumps(new Map([['1', 1], ['0', 0]])), '{"1":1,"0":0}');
  assert.equal(dumps(123n), '123');
});

test('lone surrogates are refused (Python writes them raw, then cannot encode them)', () => {
  assert.throws(() => dumps('\ud800'), TypeError);
  assert.throws(() => dumps('a\udc00b'), TypeError);
  assert.throws(() => dumps({ '\ud800': 1 }), TypeError);
  assert.equal(dumps('\ud83d\ude00'), '"😀"'); // a pair is one character
});

test('non-integer numbers and index-like keys are refused', () => {
  for (const v of [1.5, NaN, Infinity, 2 ** 60]) assert.throws(() => dumps(v), TypeError, String(v));
  assert.throws(() => dumps({ a: 1, 0: 2 }), TypeError);
  assert.throws(() => dumps(undefined), TypeError);
});
