// Typed credentials: normalisation, refusals with a code and French and English messages,
// derivation (docs/protocol.md §4, §12 "2.4").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CredentialError, deriveSecret, normaliseCredential, publicCredential } from '../src/belenios/index.js';

const CANONICAL = 'abcde-fghijk-mnopq-rstuvw';

test('separators, spaces and surrounding whitespace are ignored', () => {
  for (const typed of [
    CANONICAL,
    'abcdefghijkmnopqrstuvw',
    ' abcde fghijk mnopq rstuvw ',
    'abcde\u2013fghijk\u2014mnopq\u00a0rstuvw\n',
    'ab.cde_fgh-ijk mnop\tqrs\rtuvw',
    '\u3000\u0085abcdefghijkmnopqrstuvw\u001f',
  ]) {
    assert.deepEqual(normaliseCredential(typed), { ok: true, credential: CANONICAL }, JSON.stringify(typed));
  }
});

test('characters outside base58: code "characters", listed once, in code-point order', () => {
  const r = normaliseCredential('0bcde-fghijk-mnopq-rstuvO0l');
  assert.equal(r.ok, false);
  assert.equal(r.code, 'characters');
  assert.deepEqual(r.characters, ['0', 'O', 'l']);
  assert.equal(r.messages.en, 'characters not allowed in a credential: 0 O l');
  assert.equal(r.messages.fr, 'caractères non autorisés dans un code de vote : 0 O l');
  // Astral characters sort after U+E000–U+FFFF (code points, not UTF-16 units).
  assert.deepEqual(normaliseCredential('abcde-fghijk-mnopq-rs😀\ufffd\ue000w').characters, ['\ue000', '\ufffd', '😀']);
  // Bad characters are reported before the length.
  assert.equal(normaliseCredential('a/').code, 'characters');
});

test('a wrong length: code "length", with the count in both languages', () => {
  const short = normaliseCredential('abcde-fghijk-mnopq-rstuv');
  assert.equal(short.code, 'length');
  assert.equal(short.length, 21);
  assert.equal(short.messages.en, 'a credential has 22 characters, 21 were given');
  assert.equal(short.messages.fr, 'un code de vote compte 22 caractères, 21 ont été saisis');
  const long = normaliseCredential('abcde-fghijk-mnopq-rstuvwx');
  assert.equal(long.messages.en, 'a credential has 22 characters, 23 were given');
  const one = normaliseCredential(' a ');
  assert.equal(one.messages.en, 'a credential has 22 characters, 1 were given');
  assert.equal(one.messages.fr, 'un code de vote compte 22 caractères, 1 a été saisi');
  const none = normaliseCredential('  ');
  assert.equal(none.length, 0);
  assert.equal(none.messages.fr, 'un code de vote compte 22 caractères, 0 a été saisi');
});

test('deriveSecret and publicCredential throw a CredentialError carrying the code and messages', () => {
  const uuid = 'ABCDEFGHJKLMNPQRST';
  try {
    deriveSecret(uuid, 'abc');
    assert.fail('no error');
  } catch (exc) {
    assert.ok(exc instanceof CredentialError);
    assert.equal(exc.code, 'length');
    assert.equal(exc.length, 3);
    assert.equal(exc.message, 'a credential has 22 characters, 3 were given');
    assert.match(exc.messages.fr, /3 ont été saisis$/);
  }
  assert.throws(() => publicCredential(uuid, 'abcde-fghijk-mnopq-rstuv0'), { code: 'characters' });
});

test('the derivation hashes the normalised (dashed) credential', () => {
  const uuid = 'ABCDEFGHJKLMNPQRST';
  const a = deriveSecret(uuid, CANONICAL);
  assert.equal(deriveSecret(uuid, 'abcdefghijkmnopqrstuvw'), a);
  assert.notEqual(deriveSecret('ABCDEFGHJKLMNPQRSU', CANONICAL), a);
  assert.match(publicCredential(uuid, CANONICAL), /^[0-9a-f]{64}$/);
});
