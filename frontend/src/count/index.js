// The count's browser crypto (ADR 0805): the archive read, the encrypted tally recomputed,
// partial decryptions with their proofs, byte-identical to src/urne/crypto.
export { ArchiveError, readArchive, readRecords } from './archive.js';
export {
  BUNDLE_FORMAT, bundleDumps, checkPartialDecryption, decryptionKeys, encryptedTally, ownerOf, partialDecryption,
  tallyOfText, tallyText, TallyError,
} from './tally.js';
export { checkScrutin, decryptAll, HolderError, readSecret } from './holder.js';
