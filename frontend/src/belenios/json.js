// Canonical JSON as belenios-tool writes it (docs/protocol.md §1), identical to Python's
// `urne.crypto.encoding.dumps`: compact, object keys in insertion order, non-ASCII written
// raw, `/` not escaped, `"` `\` \b \f \n \r \t escaped short, other controls as \u00xx
// (lowercase hex, as Python and JSON.stringify both do) and U+007F as `\u007f` (Yojson's one
// difference with Python's encoder).
//
// Where JavaScript and Python cannot agree, the value is refused instead of guessed:
// * a lone surrogate: JSON.stringify would write `\udxxx`, Python writes it raw and then
//   cannot encode the text to UTF-8 (so cannot hash it); no canonical form exists -> TypeError;
// * a number that is not a safe integer: Python's float repr and JavaScript's differ
//   (1.0 vs 1, 1e16 vs 10000000000000000) -> TypeError; NaN and infinities are refused by
//   Python too (allow_nan=False);
// * an object key that looks like an array index ("0", "12"): JavaScript enumerates those
//   first, whatever the insertion order -> TypeError (pass a Map to keep such keys in order).

const LONE_SURROGATE = /\p{Cs}/u;
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;
const SHORT = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
// eslint-disable-next-line no-control-regex
const TO_ESCAPE = /["\\\u0000-\u001f\u007f]/g;

/** A JSON string literal, escaped as Python's json.dumps(ensure_ascii=False) + U+007F. */
export function quote(s) {
  if (LONE_SURROGATE.test(s)) throw new TypeError('a string with a lone surrogate has no canonical JSON form');
  return '"' + s.replace(TO_ESCAPE, (ch) => SHORT[ch] ?? '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

/** Canonical (compact, Yojson-compatible) JSON text of `value` (§1). */
export function dumps(value) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`no canonical JSON for the number ${value}`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'bigint':
      return value.toString(10);
    case 'object':
      if (Array.isArray(value)) return '[' + value.map(dumps).join(',') + ']';
      if (value instanceof Map) {
        return '{' + [...value].map(([k, v]) => keyString(k) + ':' + dumps(v)).join(',') + '}';
      }
      return (
        '{' +
        Object.keys(value)
          .map((k) => {
            if (ARRAY_INDEX.test(k)) throw new TypeError(`object key ${k} would not keep its insertion order`);
            return quote(k) + ':' + dumps(value[k]);
          })
          .join(',') +
        '}'
      );
    default:
      throw new TypeError(`no JSON form for a ${typeof value}`);
  }
}

function keyString(k) {
  if (typeof k !== 'string') throw new TypeError('JSON object keys are strings');
  return quote(k);
}

/** Data that is not in the expected Belenios format (Python's FormatError). */
export class FormatError extends Error {
  constructor(message) {
    super(message);
    this.name = 'FormatError';
  }
}

/** Parse JSON text; throws FormatError on bad input. */
export function loads(text) {
  if (typeof text !== 'string') throw new FormatError('invalid JSON: a string was expected');
  try {
    return JSON.parse(text);
  } catch (exc) {
    throw new FormatError(`invalid JSON: ${exc.message}`);
  }
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Check that `value` is an object with no field outside `fields` (Python's expect_object). */
export function expectObject(value, what, fields) {
  if (!isObject(value)) throw new FormatError(`${what}: an object was expected`);
  const unknown = Object.keys(value).filter((k) => !fields.includes(k)).sort();
  if (unknown.length) throw new FormatError(`${what}: unexpected field(s) ${JSON.stringify(unknown)}`);
  return value;
}

export function expectList(value, what) {
  if (!Array.isArray(value)) throw new FormatError(`${what}: a list was expected`);
  return value;
}

export function expectStr(value, what) {
  if (typeof value !== 'string') throw new FormatError(`${what}: a string was expected`);
  return value;
}

/** An integer (JSON.parse cannot tell `1.0` from `1`: both are accepted here). */
export function expectInt(value, what) {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new FormatError(`${what}: an integer was expected`);
  }
  return value;
}

/** Field access that, like Python's dict.get, never reaches the prototype. */
export function field(obj, name) {
  return Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}
