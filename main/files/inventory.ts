/**
 * Reading what the inventory needs from an age file on disk: its size, the key version its vault
 * stanza names and a digest of its header. Only the header is read (a few KiB), never the payload.
 * Also the directory walk of scan-files. No vault access: the caller decides what to keep.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { ArmorDecoder, looksArmored, parseHeader, type ParsedHeader } from '../crypto/age/index.js';
import { VAULT_STANZA_TYPE, vaultStanzaRef } from '../crypto/vaultStanza.js';
import { errnoCode } from './fileIo.js';
// A folder's batch journal: every file of the folder may be in the middle of a rewrap.
import { BATCH_JOURNAL_NAME } from './rewrapBatch.js';

const FIRST_READ = 4096;
const MAX_HEADER_READ = 1 << 20;
const BINARY_MAGIC = Buffer.from('age-encryption.org/', 'latin1');
const JOURNAL_SUFFIX = '.keyvault-rewrap';

/** What the header of an age file says about the vault. */
export interface AgeFileFacts {
  Size: number;
  /** The key and version of its vault stanza, or undefined for an age file without one. */
  KeyId?: string;
  KeyVersionId?: string;
  HeaderDigest: string;
}

function parseBinary(buf: Buffer): ParsedHeader | null {
  const parsed = parseHeader(buf);
  return parsed.complete ? parsed : null;
}

function parseArmored(buf: Buffer): ParsedHeader | null {
  const dec = new ArmorDecoder();
  let bytes: Buffer;
  try {
    bytes = dec.push(buf);
  } catch {
    return null;
  }
  return parseBinary(bytes);
}

function readAt(fd: number, buf: Buffer, from = 0): number {
  let done = from;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Reused for every first read: scan-files reads 10,000 headers, and a fresh 4 KiB each is pure GC. */
const firstBuffer = Buffer.allocUnsafeSlow(FIRST_READ);

/** What one buffer of a file's first bytes says: facts, not an age header (null), or more needed. */
/** The facts of a file of `size` bytes whose header (binary) is `header`, as just written. */
export function factsOfHeader(header: Buffer, size: number): AgeFileFacts | null {
  const f = factsFrom(header, size);
  return f === 'more' ? null : f;
}

function factsFrom(head: Buffer, size: number): AgeFileFacts | null | 'more' {
  const armored = looksArmored(head.subarray(0, Math.min(head.length, 256)));
  if (!armored && (head.length < BINARY_MAGIC.length || !head.subarray(0, BINARY_MAGIC.length).equals(BINARY_MAGIC))) return null;
  let parsed: ParsedHeader | null;
  try {
    parsed = armored ? parseArmored(head) : parseBinary(head);
  } catch {
    return null;
  }
  return parsed ? facts(parsed, size) : 'more';
}

/**
 * The facts of one file, or null when it is not an age file, cannot be read, or has a damaged
 * header (such a file is simply not counted; opening it will say what is wrong).
 *
 * Synchronous on purpose: a header is a few KiB and the system calls take microseconds, while the
 * promise API costs ~20x that per file in thread-pool round trips (measured in bench/inventory.ts).
 * Callers working through many files yield to the event loop between batches.
 *
 * Most age files the inventory sees are small or have a header well under 4 KiB, so the common
 * case is three calls, like the bare read it is measured against: open, one read, close. A read
 * that comes back short has met the end of the file, which gives the size without an fstat.
 * O_NONBLOCK keeps a FIFO put in place of a file from hanging the open; a longer file is fstat'ed
 * (and must be a regular one) before reading further.
 */
export function readAgeFileFacts(path: string): AgeFileFacts | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'ENXIO') return null;
    throw err;
  }
  try {
    let n: number;
    try {
      n = readSync(fd, firstBuffer, 0, FIRST_READ, 0);
    } catch (err) {
      if (errnoCode(err) === 'EISDIR' || errnoCode(err) === 'EAGAIN') return null;
      throw err;
    }
    if (n < FIRST_READ) {
      const found = factsFrom(firstBuffer.subarray(0, n), n);
      return found === 'more' ? null : found;
    }
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const first = factsFrom(firstBuffer, st.size);
    if (first !== 'more') return first;
    let size = Math.min(st.size, FIRST_READ * 8, MAX_HEADER_READ);
    let have = Buffer.from(firstBuffer);
    for (;;) {
      const buf = Buffer.allocUnsafe(size);
      have.copy(buf);
      const got = readAt(fd, buf, have.length);
      have = buf.subarray(0, got);
      const found = factsFrom(have, st.size);
      if (found !== 'more') return found;
      if (got >= st.size || size >= MAX_HEADER_READ) return null;
      size = Math.min(st.size, size * 8, MAX_HEADER_READ);
    }
  } finally {
    closeSync(fd);
  }
}

function facts(parsed: ParsedHeader, size: number): AgeFileFacts {
  // The header MAC is already a 32-byte digest of every header byte (an HMAC under the file key):
  // any change to the header, a rewrap included, changes it. Hashing the header again would
  // only cost time.
  const digest = parsed.mac.toString('base64');
  const stanza = parsed.stanzas.find((s) => s.type === VAULT_STANZA_TYPE);
  if (!stanza) return { Size: size, HeaderDigest: digest };
  try {
    const ref = vaultStanzaRef(stanza);
    return { Size: size, KeyId: ref.keyId, KeyVersionId: ref.keyVersionId, HeaderDigest: digest };
  } catch {
    return { Size: size, HeaderDigest: digest };
  }
}

/** A regular file found by the walk, and whether an interrupted rewrap journal (its own or its folder's batch) sits beside it. */
export interface WalkedFile {
  path: string;
  hasJournal: boolean;
}

/**
 * Every regular file under `dir`, depth first, one directory's files at a time (an async step per
 * file would cost more than reading its header); symbolic links are not followed.
 */
export async function* walkFiles(dir: string, signal?: AbortSignal): AsyncGenerator<WalkedFile[]> {
  const stack = [dir];
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const current = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch (err) {
      if (current !== dir && (errnoCode(err) === 'EACCES' || errnoCode(err) === 'ENOENT')) continue;
      throw err;
    }
    let journals: Set<string> | null = null;
    let batch = false;
    for (const e of entries) {
      if (e.name.endsWith(JOURNAL_SUFFIX)) (journals ??= new Set()).add(e.name);
      else if (e.name === BATCH_JOURNAL_NAME) batch = true;
    }
    const files: WalkedFile[] = [];
    for (const e of entries) {
      if (e.isDirectory()) stack.push(join(current, e.name));
      else if (e.isFile() && !e.name.endsWith(JOURNAL_SUFFIX) && e.name !== BATCH_JOURNAL_NAME) {
        files.push({ path: join(current, e.name), hasJournal: batch || (journals !== null && journals.has(`.${e.name}${JOURNAL_SUFFIX}`)) });
      }
    }
    if (files.length > 0) yield files;
  }
}
