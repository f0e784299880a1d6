// What a key holder's browser does at the count (ADR 0805): read the key file (plain or
// wrapped under a passphrase), check every scrutin's published archive against the tally the
// server serves (recomputed from the ballots; a difference refuses), and make the partial
// decryptions of every scrutin of the bureau in one file. Nothing here sends anything.

import { parseElection } from '../belenios/election.js';
import { scalarOfString, secureScalar } from '../belenios/group.js';
import { dumps, loads } from '../belenios/json.js';
import { decryptKeyShare } from '../ceremony/keys.js';
import { isWrapped, unwrap } from '../ceremony/keywrap.js';
import { readArchive } from './archive.js';
import { bundleDumps, encryptedTally, ownerOf, partialDecryption, tallyOfText, tallyText } from './tally.js';

/** The count cannot go on in this browser; `code` names the page's sentence. */
export class HolderError extends Error {
  constructor(code, detail = '', scrutin = '') {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'HolderError';
    this.code = code;
    this.detail = detail;
    this.scrutin = scrutin;
  }
}

const SEED = /^[1-9A-HJ-NP-Za-km-z]{22}$/;

async function opened(text, passphrase) {
  if (!isWrapped(text)) return text.trim();
  if (!passphrase) throw new HolderError('passphrase_needed');
  try {
    return (await unwrap(text, passphrase)).text.trim();
  } catch (exc) {
    throw new HolderError('wrong_passphrase', exc.message);
  }
}

/**
 * The holder's secret scalar: the president's `ID.privkey` (a decimal string in JSON), or a
 * delegate's `ID.key` (seed) with the `ID.dkey` of the ceremony's step 5; either may be
 * wrapped under the passphrase (the same one for both files).
 */
export async function readSecret(keyText, dkeyText = null, passphrase = '') {
  const key = await opened(keyText, passphrase);
  if (SEED.test(key)) {
    if (!dkeyText) throw new HolderError('dkey_needed');
    const dkey = await opened(dkeyText, passphrase);
    try {
      return await decryptKeyShare(key, dkey);
    } catch (exc) {
      throw new HolderError('not_key_file', exc.message);
    }
  }
  try {
    return scalarOfString(loads(key));
  } catch (exc) {
    throw new HolderError('not_key_file', exc.message);
  }
}

/**
 * One scrutin checked: its archive read (names, hash chain), its election the one named,
 * the encrypted tally recomputed from the archive's ballots and equal to the tally the server
 * serves and to the archive's own. Returns {uuid, election, trusteesRaw, tally, ballots}.
 */
export function checkScrutin({ uuid, name = uuid, archive, tally }) {
  let read;
  try {
    read = readArchive(archive);
  } catch (exc) {
    throw new HolderError('archive_unreadable', exc.message, name);
  }
  const election = parseElection(read.electionRaw);
  if (election.uuid !== uuid) throw new HolderError('archive_other', election.uuid, name);
  if (read.hasResult) throw new HolderError('result_done', '', name);
  let recomputed;
  let points;
  try {
    recomputed = tallyText(encryptedTally(election, read.ballots));
    points = tallyOfText(recomputed); // every element of the product checked a group member
  } catch (exc) {
    throw new HolderError('archive_unreadable', exc.message, name);
  }
  if (tally !== recomputed) throw new HolderError('tally_mismatch', `${read.ballots.length} ballots`, name);
  if (read.tallyText !== null && read.tallyText !== recomputed) throw new HolderError('tally_mismatch', 'archive', name);
  return { uuid, name, election, trusteesRaw: read.trusteesRaw, tally: points, ballots: read.ballots.length };
}

/**
 * The holder's file: every checked scrutin's partial decryption under secret `x`, owner
 * found in each scrutin's trustees (a key that is none of them refuses).
 */
export function decryptAll(checked, x, random = secureScalar) {
  const entries = checked.map((s) => {
    const owner = ownerOf(s.trusteesRaw, x);
    if (owner === null) throw new HolderError('wrong_key', '', s.name);
    return [s.uuid, owner, dumps(partialDecryption(s.election, s.tally, x, random))];
  });
  return bundleDumps(entries);
}
