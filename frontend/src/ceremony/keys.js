// The key ceremony's holder side (docs/protocol.md §6.1, §6.2, §14), mirroring
// src/urne/crypto/trustees.py and threshold.py byte for byte: a single key with its proof of
// knowledge, and the member's steps 1, 3 and 5 of belenios-tool's threshold key generation,
// with 3.1+'s AES-GCM channels (ADR 0720). Random scalars (and seed characters) are drawn in
// the order Python draws them, so the same draws give the same files
// (frontend/test/ceremony_vectors.json, made by Python, checks it).

import { hexToBytes } from '@noble/hashes/utils.js';
import { BASE58_ALPHABET } from '../belenios/election.js';
import {
  DESCRIPTION, elementOfString, elementToString, GroupError, hashToScalar, IDENTITY, mul, mulBase, op, div, product, Q,
  scalarOfString, secureScalar, sha256Hex,
} from '../belenios/group.js';
import { dumps, expectList, expectObject, expectStr, field, FormatError, loads } from '../belenios/json.js';
import { schnorrCommitment } from '../belenios/primitives.js';

/** A step cannot go on (Python's ThresholdError). */
export class CeremonyError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CeremonyError';
  }
}

const mod = (n) => ((n % Q) + Q) % Q;

function element(s, what) {
  const e = elementOfString(expectStr(s, what));
  if (e === null) throw new GroupError(`${what}: not a group element`);
  return e;
}

const proofJson = (p) => ({ challenge: p.challenge.toString(10), response: p.response.toString(10) });

function proofOf(value, what) {
  const obj = expectObject(value, what, ['challenge', 'response']);
  return { challenge: scalarOfString(field(obj, 'challenge')), response: scalarOfString(field(obj, 'response')) };
}

// -- single keys (§6.1) --------------------------------------------------------------------

const pokPrefix = (pub) => `pok|${DESCRIPTION}|${elementToString(pub)}|`;

/** `g^x` with its proof of knowledge: a `trustee_public_key` object (Python's prove_key). */
export function proveKey(x, random = secureScalar) {
  const pub = mulBase(x);
  const w = random();
  const challenge = hashToScalar(pokPrefix(pub), [mulBase(w)]);
  return { pok: proofJson({ challenge, response: mod(w - x * challenge) }), public_key: elementToString(pub) };
}

/** A single key: the private scalar and its `ID.pubkey` object. */
export function generateSingleKey(random = secureScalar) {
  const x = random();
  return { privateKey: x, publicKey: proveKey(x, random) };
}

/** belenios-tool's file name for a key: 8 upper-case hex of SHA-256(public key). */
export function singleKeyId(publicKey) {
  return sha256Hex(publicKey.public_key).slice(0, 8).toUpperCase();
}

/** The `ID.privkey` file's text: the scalar as a JSON string, as belenios-tool writes it. */
export function privkeyFile(x) {
  return JSON.stringify(x.toString(10)) + '\n';
}

/** Read an `ID.privkey` file's text back to its scalar. */
export function privkeyOfFile(text) {
  return scalarOfString(loads(text.trim()));
}

export function checkSingle(tpk) {
  const pub = element(tpk.public_key, 'public key');
  const pok = proofOf(tpk.pok, 'pok');
  return pok.challenge === hashToScalar(pokPrefix(pub), [schnorrCommitment(pub, pok)]);
}

// -- PKI and channels (trustees.ml MakePKI, MakeChannels) ----------------------------------

/** A uniform base58 character from the browser's CSPRNG (rejection sampling). */
export function secureChoice(alphabet) {
  const limit = 256 - (256 % alphabet.length);
  const byte = new Uint8Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(byte);
    if (byte[0] < limit) return alphabet[byte[0] % alphabet.length];
  }
}

export function generateSeed(choice = secureChoice) {
  let seed = '';
  for (let i = 0; i < 22; i++) seed += choice(BASE58_ALPHABET);
  return seed;
}

export const signingKey = (seed) => BigInt('0x' + sha256Hex('sk|' + seed)) % Q;
export const decryptionKey = (seed) => BigInt('0x' + sha256Hex('dk|' + seed)) % Q;

/** Schnorr signature with prefix `sigmsg|message|`: a `signed_msg` object. */
export function sign(sk, message, random = secureScalar) {
  const w = random();
  const challenge = hashToScalar(`sigmsg|${message}|`, [mulBase(w)]);
  return { message, signature: proofJson({ challenge, response: mod(w - sk * challenge) }) };
}

export function verifySignature(vk, signed) {
  const proof = proofOf(signed.signature, 'signature');
  return proof.challenge === hashToScalar(`sigmsg|${signed.message}|`, [schnorrCommitment(vk, proof)]);
}

const utf8 = (s) => new TextEncoder().encode(s);

async function gcmKey(keyElement, alpha) {
  const raw = hexToBytes(sha256Hex('key|' + elementToString(keyElement)));
  const key = await globalThis.crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  // 3.1+: the whole 32-byte SHA-256("iv|" ‖ alpha) is the IV, the tag is 128 bits.
  return { key, iv: hexToBytes(sha256Hex('iv|' + elementToString(alpha))) };
}

function toHex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `MakePKI.encrypt` with AES-GCM: an `encrypted_msg` object. Draws r then s. */
export async function encryptMessage(recipient, plaintext, random = secureScalar) {
  const r = random();
  const s = random();
  const keyElement = mulBase(s);
  const alpha = mulBase(r);
  const beta = op(mul(recipient, r), keyElement);
  const { key, iv } = await gcmKey(keyElement, alpha);
  const data = await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv, tagLength: 128 }, key, utf8(plaintext));
  return { algorithm: 'AES-GCM', alpha: elementToString(alpha), beta: elementToString(beta), data: toHex(data) };
}

export async function decryptMessage(dk, message) {
  const obj = expectObject(message, 'encrypted message', ['algorithm', 'alpha', 'beta', 'data']);
  if (field(obj, 'algorithm') !== 'AES-GCM') {
    throw new CeremonyError('this message is not AES-GCM (belenios-tool 3.0 files are not read in the page)');
  }
  const alpha = element(field(obj, 'alpha'), 'alpha');
  const beta = element(field(obj, 'beta'), 'beta');
  const keyElement = div(beta, mul(alpha, dk));
  const { key, iv } = await gcmKey(keyElement, alpha);
  try {
    const clear = await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv, tagLength: 128 }, key, hexToBytes(expectStr(field(obj, 'data'), 'data')));
    return new TextDecoder('utf-8', { fatal: true }).decode(clear);
  } catch {
    throw new CeremonyError('cannot decrypt: wrong key or altered message');
  }
}

/** `MakeChannels.send`: sign `{"recipient","message"}`, then encrypt it (w, then r, s). */
export async function send(sk, recipient, message, random = secureScalar) {
  const inner = dumps({ recipient: elementToString(recipient), message });
  const signed = sign(sk, inner, random);
  return dumps(await encryptMessage(recipient, dumps(signed), random));
}

export async function receive(dk, senderVk, text) {
  const signed = loads(await decryptMessage(dk, loads(text)));
  expectObject(signed, 'signed message', ['message', 'signature']);
  if (!verifySignature(senderVk, signed)) throw new CeremonyError('invalid signature on received message');
  const obj = expectObject(loads(signed.message), 'channel message', ['recipient', 'message']);
  if (!element(field(obj, 'recipient'), 'recipient').equals(mulBase(dk))) throw new CeremonyError('invalid recipient on received message');
  return expectStr(field(obj, 'message'), 'channel message');
}

// -- certificates and steps (§6.2) ---------------------------------------------------------

export function certKeys(cert) {
  const obj = expectObject(loads(cert.message), 'certificate', ['context', 'verification', 'encryption']);
  return {
    context: field(obj, 'context'),
    verification: element(field(obj, 'verification'), 'verification key'),
    encryption: element(field(obj, 'encryption'), 'encryption key'),
  };
}

/** belenios-tool's member id: SHA-256 hex of the certificate's message. */
export const certId = (cert) => sha256Hex(cert.message);

/** Step 1: the seed (the `ID.key` file) and the certificate (`ID.cert`). */
export function step1({ index, threshold, size }, choice = secureChoice, random = secureScalar) {
  if (!(size > 0 && index >= 1 && index <= size && threshold > 0 && threshold < size)) {
    throw new CeremonyError('threshold context must satisfy 1 ≤ index ≤ size and 0 < threshold < size');
  }
  const seed = generateSeed(choice);
  const keys = {
    context: { group: DESCRIPTION, size, threshold, index },
    verification: elementToString(mulBase(signingKey(seed))),
    encryption: elementToString(mulBase(decryptionKey(seed))),
  };
  return { seed, cert: sign(signingKey(seed), dumps(keys), random) };
}

function step2(certs) {
  if (!certs.length) throw new CeremonyError('no certificate');
  const first = certKeys(certs[0]).context;
  if (!first) throw new CeremonyError('certificate 1 has no context');
  certs.forEach((cert, i) => {
    const keys = certKeys(cert);
    const c = keys.context;
    const ok = c && c.group === DESCRIPTION && c.size === certs.length && c.threshold === first.threshold && c.index === i + 1;
    if (!ok || !verifySignature(keys.verification, cert)) throw new CeremonyError(`certificate ${i + 1} does not validate`);
  });
  return first.threshold;
}

function myIndex(certs, seed) {
  const vk = mulBase(signingKey(seed));
  const ek = mulBase(decryptionKey(seed));
  const i = certs.findIndex((c) => {
    const k = certKeys(c);
    return k.verification.equals(vk) && k.encryption.equals(ek);
  });
  if (i < 0) throw new CeremonyError('could not find my certificate: is this the right ID.key?');
  return i + 1;
}

function evalPoly(coefficients, x) {
  let acc = 0n;
  for (let k = coefficients.length - 1; k >= 0; k--) acc = mod(acc * x + coefficients[k]);
  return acc;
}

/** Step 3: the member's polynomial, shares encrypted to each member (AES-GCM). */
export async function step3(certs, seed, random = secureScalar) {
  const threshold = step2(certs);
  myIndex(certs, seed);
  const sk = signingKey(seed);
  const ek = mulBase(decryptionKey(seed));
  const coefficients = Array.from({ length: threshold }, () => random());
  const coefexps = coefficients.map((a) => elementToString(mulBase(a)));
  const own = await send(sk, ek, dumps({ polynomial: coefficients.map((a) => a.toString(10)) }), random);
  const secrets = [];
  for (let j = 0; j < certs.length; j++) {
    const recipient = certKeys(certs[j]).encryption;
    secrets.push(await send(sk, recipient, dumps({ secret: evalPoly(coefficients, BigInt(j + 1)).toString(10) }), random));
  }
  const signedCoefexps = sign(sk, dumps({ coefexps }), random);
  const signature = sign(sk, 'certs_sig|' + dumps({ certs, coefexps }), random).signature;
  return { polynomial: own, secrets, coefexps: signedCoefexps, signature };
}

function rawCoefexps(signed) {
  const obj = expectObject(loads(signed.message), 'coefexps', ['coefexps']);
  return expectList(field(obj, 'coefexps'), 'coefexps').map((e) => element(e, 'coefexps'));
}

function shareImage(coefexps, j) {
  let acc = IDENTITY;
  let jk = 1n;
  for (const a of coefexps) {
    acc = op(acc, a.multiplyUnsafe(jk));
    jk = mod(jk * j);
  }
  return acc;
}

/**
 * Step 5: check what the others sent, compute the key share, and return the voutput
 * (its `private_key` is the `ID.dkey` file: the share encrypted to oneself).
 */
export async function step5(certs, seed, vinput, random = secureScalar) {
  const threshold = step2(certs);
  const n = certs.length;
  const j = myIndex(certs, seed);
  const sk = signingKey(seed);
  const dk = decryptionKey(seed);
  const vk = mulBase(sk);
  const vi = expectObject(vinput, 'vinput', ['polynomial', 'secrets', 'coefexps', 'signatures']);
  const own = expectObject(loads(await receive(dk, vk, vi.polynomial)), 'polynomial', ['polynomial']);
  if (own.polynomial.length !== threshold || vi.secrets.length !== n || vi.coefexps.length !== n) {
    throw new CeremonyError('the vinput does not have the group’s shape');
  }
  let share = 0n;
  for (let i = 0; i < n; i++) {
    const keys = certKeys(certs[i]);
    const msg = expectObject(loads(await receive(dk, keys.verification, vi.secrets[i])), 'secret', ['secret']);
    const s = scalarOfString(expectStr(msg.secret, 'secret'));
    if (!verifySignature(keys.verification, vi.coefexps[i])) throw new CeremonyError(`coefexps ${i + 1} does not validate`);
    const exps = rawCoefexps(vi.coefexps[i]);
    if (exps.length !== threshold) throw new CeremonyError(`coefexps ${i + 1} has the wrong length`);
    if (!mulBase(s).equals(shareImage(exps, BigInt(j)))) throw new CeremonyError(`secret ${i + 1} does not validate`);
    share = mod(share + s);
  }
  const pdk = dumps({ decryption_key: share.toString(10) });
  const tpk = proveKey(share, random);
  const signature = sign(sk, tpk.public_key, random).signature;
  const privateKey = await send(sk, mulBase(dk), pdk, random);
  return { private_key: privateKey, public_key: { ...tpk, signature } };
}

/** Open an `ID.dkey` with its seed: the key share (to check a saved file). */
export async function decryptKeyShare(seed, dkey) {
  const text = await receive(decryptionKey(seed), mulBase(signingKey(seed)), dkey.trim());
  return scalarOfString(expectObject(loads(text), 'decryption key', ['decryption_key']).decryption_key);
}

export { FormatError, GroupError, product };
