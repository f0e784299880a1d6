// Urne's browser-side Belenios 3.0 crypto on Ed25519 (docs/protocol.md §1–§5, §12 "2.4"):
// byte-identical to src/urne/crypto (frontend/test/vectors.json, made by Python, checks it).

export { BallotError, checkBallot, createBallot, parseBallot, tracker, verifyBallot } from './ballot.js';
export { CredentialError, CREDENTIAL_LENGTH, deriveSecret, formatCredential, normaliseCredential, publicCredential } from './credentials.js';
export { BASE58_ALPHABET, checkPlaintext, parseElection } from './election.js';
export {
  checkElementString, DESCRIPTION, elementOfString, elementToString, GroupError, hashToScalar, mulBase, Q,
  scalarOfString, secureScalar, sha256B64, sha256Hex,
} from './group.js';
export { dumps, FormatError } from './json.js';

import { sha256B64 } from './group.js';

/** φ = b64 SHA-256 of the raw election string (§3). */
export function fingerprint(electionRaw) {
  return sha256B64(electionRaw);
}
