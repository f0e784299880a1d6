// The key ceremony's browser crypto (ADR 0722): keys (single, threshold steps 1, 3, 5) and
// the passphrase wrapping of their files, byte-identical to src/urne/crypto.
export * from './keys.js';
export { DEFAULT_N, FORMAT, isWrapped, unwrap, wrap, WrapError } from './keywrap.js';
