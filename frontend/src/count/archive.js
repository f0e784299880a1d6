// The `.bel` election archive read in the browser (docs/protocol.md §9), mirroring
// src/urne/crypto/archive.py: the tar records, each data and event record's name checked
// against the SHA-256 of its body, the events' hash chain, and what the count needs from it
// (the election, the trustees, the ballots, the encrypted tally written at the count's
// opening). The page never takes any of these from the server's word alone.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { expectInt, expectObject, expectStr, field, FormatError, loads } from '../belenios/json.js';

const BLOCK = 512;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The archive cannot be read, or is not consistent with itself. */
export class ArchiveError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ArchiveError';
  }
}

function octal(bytes) {
  let text = '';
  for (const b of bytes) if (b !== 0 && b !== 32) text += String.fromCharCode(b);
  if (text && !/^[0-7]+$/.test(text)) throw new ArchiveError('corrupt tar header');
  return text ? parseInt(text, 8) : 0;
}

/** Every tar member as {name, body} (Uint8Array), as Python's `read_records`. */
export function readRecords(data) {
  const records = [];
  let pos = 0;
  while (pos + BLOCK <= data.length) {
    const header = data.subarray(pos, pos + BLOCK);
    if (header.every((b) => b === 0)) break;
    let sum = 8 * 32;
    for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += header[i];
    if (octal(header.subarray(148, 156)) !== sum) throw new ArchiveError(`bad tar header checksum at byte ${pos}`);
    const size = octal(header.subarray(124, 136));
    let end = header.indexOf(0);
    if (end < 0 || end > 100) end = 100;
    const name = new TextDecoder().decode(header.subarray(0, end));
    const start = pos + BLOCK;
    if (start + size > data.length) throw new ArchiveError(`truncated record ${name}`);
    records.push({ name, body: data.subarray(start, start + size) });
    pos = start + size + ((BLOCK - (size % BLOCK)) % BLOCK);
  }
  if (pos < data.length && data.subarray(pos).some((b) => b !== 0)) {
    throw new ArchiveError(`trailing bytes after the last record at byte ${pos}`);
  }
  return records;
}

const text = (record) => {
  try {
    return decoder.decode(record.body);
  } catch {
    throw new ArchiveError(`${record.name} is not UTF-8`);
  }
};

/**
 * Read an archive: the records' names are their bodies' SHA-256, the events chain from the
 * Setup, each event's payload is a data record. Returns {electionRaw, trusteesRaw, ballots,
 * tallyText (the last EncryptedTally's tally, or null), hasResult}.
 */
export function readArchive(data) {
  const records = readRecords(data);
  if (!records.length || records[0].name !== 'BELENIOS') throw new ArchiveError('the first record is not BELENIOS');
  const byHash = new Map();
  const events = [];
  let pending = [];
  for (const r of records.slice(1)) {
    const m = /^([0-9a-f]{64})\.(data|event)\.json$/.exec(r.name);
    if (!m) throw new ArchiveError(`unexpected record ${r.name}`);
    if (bytesToHex(sha256(r.body)) !== m[1]) throw new ArchiveError(`${r.name}: its content does not match its name`);
    const body = text(r);
    byHash.set(m[1], body);
    if (m[2] === 'event') {
      events.push({ hash: m[1], event: loads(body), data: pending });
      pending = [];
    } else {
      pending.push(body);
    }
  }
  let parent = null;
  const payload = (e) => {
    const h = expectStr(field(e, 'payload'), 'event payload');
    if (!byHash.has(h)) throw new ArchiveError(`event payload ${h} is missing`);
    return byHash.get(h);
  };
  const out = { electionRaw: null, trusteesRaw: null, ballots: [], tallyText: null, hasResult: false };
  events.forEach(({ hash, event }, height) => {
    const e = expectObject(event, 'event', ['parent', 'height', 'type', 'payload']);
    if (expectInt(field(e, 'height'), 'event height') !== height || (field(e, 'parent') ?? null) !== parent) {
      throw new ArchiveError(`event ${height} is not chained to the previous one`);
    }
    parent = hash;
    const type = field(e, 'type');
    if (height === 0) {
      if (type !== 'Setup') throw new ArchiveError('the first event is not Setup');
      const setup = expectObject(loads(payload(e)), 'setup', ['election', 'trustees', 'credentials']);
      const get = (name) => {
        const body = byHash.get(expectStr(field(setup, name), name));
        if (body === undefined) throw new ArchiveError(`the setup's ${name} is missing`);
        return body;
      };
      out.electionRaw = get('election');
      out.trusteesRaw = get('trustees');
    } else if (type === 'Ballot') {
      out.ballots.push(payload(e));
    } else if (type === 'EncryptedTally') {
      const sized = expectObject(loads(payload(e)), 'sized encrypted tally', ['num_tallied', 'total_weight', 'encrypted_tally']);
      const tally = byHash.get(expectStr(field(sized, 'encrypted_tally'), 'encrypted_tally'));
      if (tally === undefined) throw new ArchiveError('the encrypted tally is missing');
      out.tallyText = tally;
    } else if (type === 'Result') {
      out.hasResult = true;
    }
  });
  if (out.electionRaw === null) throw new ArchiveError('the archive has no setup');
  return out;
}

export { FormatError };
