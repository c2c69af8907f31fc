/**
 * In-place header rewrite with a journal, so a crash at any moment leaves a file that opens with
 * the old header or the new one.
 *
 * 1. `.<name>.keyvault-rewrap` next to the file: magic, the file's device, inode and size, old
 *    header, new header, and an HMAC-SHA256 of all of it under the vault's journal key
 *    (crypto/rootKeys.ts); made durable with its directory entry.
 * 2. One pwrite of the new header at offset 0 (same length as the old one), made durable.
 * 3. The journal is removed and the directory fsynced.
 * The directory fsyncs are shared with the rewrites running at the same time in that folder
 * (groupSync.ts); a step starts only once a sync begun after the previous step has returned.
 *
 * Repair and rewrite run under an exclusive flock on the file itself, and the rewrite first checks
 * the header is still the one it read, so two re-encrypts of one file (in any processes) never
 * interleave or remove each other's journal.
 *
 * A journal tells the vault to write into a file, so it is trusted only when it is a regular file
 * of the current user with one link, opened without following links, authentic under this vault's
 * key, and bound to the very file (device, inode, size). Only ReEncrypt repairs from it
 * (repairRewrap); Decrypt and Inspect never write (assertNoInterruptedRewrap).
 *
 * A journal that fails a check is left where it is, never deleted: it may be another user's
 * in-progress rewrite in a shared folder, or evidence of a planted file the user should see, and
 * deleting files on an attacker's say-so is how symlink races start. ReEncrypt refuses with a
 * KMSInvalidStateException naming what was found; Decrypt and Inspect carry on without it. The one
 * exception is our own journal cut short (shorter than its declared length: a crash during step
 * 1, never followed by step 2), which ReEncrypt removes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { closeSync, fdatasync, fstatSync, fsync, constants as fsConstants, open, unlinkSync, writeSync } from 'node:fs';
import { open as openHandle, unlink, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, dirname, join } from 'node:path';
import { KMSInternalException, KMSInvalidStateException, ValidationException } from '../core/errors.js';
import { errnoCode, readFull } from './fileIo.js';
import { syncDirShared } from './groupSync.js';
import { bindingOf, isTornBetween, nameExists, openJournalFile, readAllSync, sameFile, tryLock, untrustedJournal, type Binding } from './journalFiles.js';
import { assertNoInterruptedBatch } from './rewrapBatch.js';

const MAGIC = Buffer.from('keyvault-rewrap/v2\n', 'latin1');
/** device, inode, size (u64 each), old and new header lengths (u32 each). */
const FIXED_BYTES = 32;
const MAC_BYTES = 32;
/** Headers are at most 16 MiB (fileService.ts): a larger "journal" is not one of ours. */
const MAX_JOURNAL_BYTES = MAGIC.length + FIXED_BYTES + 2 * (16 << 20) + MAC_BYTES;

export type RepairOutcome = 'none' | 'discarded' | 'rolled-back' | 'completed' | 'repaired';

export function journalPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.keyvault-rewrap`);
}

export interface Journal {
  size: number;
  oldHeader: Buffer;
  newHeader: Buffer;
}

function mac(key: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

function encodeJournal(j: Journal, file: Binding, key: Buffer): Buffer {
  const fixed = Buffer.alloc(FIXED_BYTES);
  fixed.writeBigUInt64BE(file.dev, 0);
  fixed.writeBigUInt64BE(file.ino, 8);
  fixed.writeBigUInt64BE(file.size, 16);
  fixed.writeUInt32BE(j.oldHeader.length, 24);
  fixed.writeUInt32BE(j.newHeader.length, 28);
  const body = Buffer.concat([MAGIC, fixed, j.oldHeader, j.newHeader]);
  return Buffer.concat([body, mac(key, body)]);
}

type Decoded = { kind: 'journal'; journal: Journal; file: Binding } | { kind: 'incomplete' } | { kind: 'untrusted'; reason: string };

function decodeJournal(data: Buffer, key: Buffer): Decoded {
  const magicPart = Math.min(MAGIC.length, data.length);
  if (!data.subarray(0, magicPart).equals(MAGIC.subarray(0, magicPart))) {
    return { kind: 'untrusted', reason: 'is not a re-encrypt journal of this version of Key Vault' };
  }
  const fixedAt = MAGIC.length;
  if (data.length < fixedAt + FIXED_BYTES) return { kind: 'incomplete' };
  const oldLength = data.readUInt32BE(fixedAt + 24);
  const newLength = data.readUInt32BE(fixedAt + 28);
  const total = fixedAt + FIXED_BYTES + oldLength + newLength + MAC_BYTES;
  if (data.length < total) return { kind: 'incomplete' };
  const body = data.subarray(0, total - MAC_BYTES);
  const tag = data.subarray(total - MAC_BYTES, total);
  if (data.length !== total || !timingSafeEqual(mac(key, body), tag)) {
    return { kind: 'untrusted', reason: 'fails authentication (it was not written by this vault, or was changed since)' };
  }
  if (oldLength !== newLength) return { kind: 'untrusted', reason: 'describes headers of different lengths' };
  const start = fixedAt + FIXED_BYTES;
  return {
    kind: 'journal',
    file: { dev: data.readBigUInt64BE(fixedAt), ino: data.readBigUInt64BE(fixedAt + 8), size: data.readBigUInt64BE(fixedAt + 16) },
    journal: {
      size: Number(data.readBigUInt64BE(fixedAt + 16)),
      oldHeader: data.subarray(start, start + oldLength),
      newHeader: data.subarray(start + oldLength, start + oldLength + newLength),
    },
  };
}

type Found = { kind: 'none' } | Decoded;

/**
 * The small calls here (fstat, read, write, close of a few KiB) are synchronous on purpose: each
 * takes microseconds, while a promise call is a thread-pool round trip costing far more, and
 * re-encrypt-files makes a dozen of them per file. The fsyncs, which wait on the disk, go
 * through the pool.
 */
const fsyncAsync = promisify(fsync);
/** Creating and removing a name, though, can wait on the filesystem's journal commit: not on the event loop. */
const openAsync = promisify(open);
const fdatasyncAsync = promisify(fdatasync);

/** Opens and checks the journal of a file without writing anything. */
async function readJournal(jpath: string, key: Buffer): Promise<Found> {
  return readJournalSync(jpath, key);
}

function readJournalSync(jpath: string, key: Buffer): Found {
  const opened = openJournalFile(jpath, MAX_JOURNAL_BYTES);
  if (opened.kind !== 'open') return opened;
  try {
    return decodeJournal(readAllSync(opened.fd, opened.size), key);
  } finally {
    closeSync(opened.fd);
  }
}

async function removeJournal(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  await syncDirShared(dirname(path));
}

/**
 * An exclusive flock on the file for the span of a repair or an in-place rewrite, so two
 * re-encrypts of one file (in any processes) never interleave. Released when `fh` closes.
 */
function lockForRewrite(fh: FileHandle, file: string): void {
  if (!tryLock(fh.fd)) throw new KMSInvalidStateException(`Another re-encrypt of ${file} is in progress; try again when it has finished.`);
}

/** The file, open for reading (enough to lock it), or null when it does not exist. */
async function openToLock(file: string): Promise<FileHandle | null> {
  try {
    return await openHandle(file, fsConstants.O_RDONLY);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return null;
    if (code === 'EACCES' || code === 'EPERM') throw new ValidationException(`The file ${file} cannot be opened: permission denied.`);
    throw err;
  }
}

/**
 * For ReEncrypt only: finishes or undoes an interrupted in-place header rewrite of `file`, if one
 * was left behind. Throws KMSInvalidStateException (and changes nothing) for a journal it cannot
 * trust, or while another process is rewriting the file.
 */
export async function repairRewrap(file: string, key: Buffer): Promise<RepairOutcome> {
  const jpath = journalPath(file);
  // No journal, nothing to repair: no need to open and lock the file for that. A journal that
  // appears right after this look belongs to a rewrite holding the lock, which the caller's own
  // rewrite then meets (its journal cannot be created, or the header has changed).
  if (!nameExists(jpath)) return 'none';
  const fh = await openToLock(file);
  try {
    if (fh) lockForRewrite(fh, file);
    const found = await readJournal(jpath, key);
    if (found.kind === 'none') return 'none';
    if (found.kind === 'untrusted') throw untrustedJournal(file, jpath, found.reason);
    if (found.kind === 'incomplete' || fh === null) {
      await removeJournal(jpath); // cut short before the header write, or its file is gone
      return 'discarded';
    }
    if (!sameFile(bindingOf(await fh.stat({ bigint: true })), found.file)) {
      throw untrustedJournal(file, jpath, 'was written for another file (device, inode or size differ)');
    }
    const outcome = await applyJournal(file, fh, found.journal);
    await removeJournal(jpath);
    return outcome;
  } finally {
    await fh?.close();
  }
}

async function applyJournal(file: string, fh: FileHandle, { oldHeader, newHeader }: Journal): Promise<RepairOutcome> {
  const current = Buffer.alloc(newHeader.length);
  if ((await readFull(fh, current, 0)) !== current.length) return 'discarded';
  if (current.equals(newHeader)) return 'completed';
  if (current.equals(oldHeader)) return 'rolled-back';
  if (!isTornBetween(current, oldHeader, newHeader)) return 'discarded';
  const writer = await openHandle(file, fsConstants.O_RDWR);
  try {
    await writeHeaderInPlace(writer, newHeader);
  } finally {
    await writer.close();
  }
  return 'repaired';
}

/**
 * For Decrypt and Inspect, which never write: refuses a file whose header was torn by an
 * interrupted re-encrypt (per a journal that passes every check), pointing at ReEncrypt to finish
 * it. Every other file is left to be read as it is; an untrusted journal is ignored.
 */
export async function assertNoInterruptedRewrap(file: string, key: Buffer): Promise<void> {
  assertNoInterruptedBatch(file, key);
  const jpath = journalPath(file);
  const found = await readJournal(jpath, key);
  if (found.kind !== 'journal') return;
  let fh: FileHandle;
  try {
    fh = await openHandle(file, fsConstants.O_RDONLY);
  } catch {
    return; // opening the input reports it
  }
  try {
    if (!sameFile(bindingOf(await fh.stat({ bigint: true })), found.file)) return;
    const { oldHeader, newHeader } = found.journal;
    const current = Buffer.alloc(newHeader.length);
    if ((await readFull(fh, current, 0)) !== current.length) return;
    if (!current.equals(oldHeader) && !current.equals(newHeader) && isTornBetween(current, oldHeader, newHeader)) {
      throw new KMSInvalidStateException(
        `A re-encrypt of ${file} was interrupted half-way through its header (journal ${jpath}). ` +
          'Run re-encrypt-file on it to finish the rewrite; until then it cannot be read.',
      );
    }
  } finally {
    await fh.close();
  }
}

async function writeHeaderInPlace(fh: FileHandle, header: Buffer): Promise<void> {
  const { bytesWritten } = await fh.write(header, 0, header.length, 0);
  if (bytesWritten !== header.length) throw new KMSInternalException('The header could not be written in one piece.');
  await fh.datasync();
}

/** Step 1 for the file open as `target`; exported so tests can leave a journal behind as a crash would. */
export async function writeRewrapJournal(file: string, journal: Journal, key: Buffer, target?: FileHandle): Promise<string> {
  const jpath = journalPath(file);
  let binding: Binding;
  if (target) {
    binding = bindingOf(fstatSync(target.fd, { bigint: true }));
  } else {
    const fh = await openHandle(file, fsConstants.O_RDONLY);
    try {
      binding = bindingOf(await fh.stat({ bigint: true }));
    } finally {
      await fh.close();
    }
  }
  if (BigInt(journal.size) !== binding.size) throw new KMSInvalidStateException(`${file} changed while it was being re-encrypted; try again.`);
  let fd: number;
  try {
    fd = await openAsync(jpath, 'wx', 0o600);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') throw new KMSInvalidStateException(`Another re-encrypt of ${file} is in progress.`);
    throw err;
  }
  try {
    const data = encodeJournal(journal, binding, key);
    if (writeSync(fd, data, 0, data.length, 0) !== data.length) throw new KMSInternalException('The re-encrypt journal could not be written.');
    // The journal and its name, durable before the header is touched.
    await fsyncAsync(fd);
    await syncDirShared(dirname(jpath));
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(jpath);
    } catch {
      // already gone
    }
    throw err;
  }
  closeSync(fd);
  return jpath;
}

/**
 * Replaces the header of `file` (whose first `oldHeader.length` bytes must still be `oldHeader`)
 * by `newHeader` of the same length, crash-safely, with a journal authenticated under `key`, all
 * under the file's rewrite lock.
 */
export async function rewriteHeaderInPlace(file: string, oldHeader: Buffer, newHeader: Buffer, size: number, key: Buffer): Promise<void> {
  if (oldHeader.length !== newHeader.length) throw new KMSInternalException('In-place rewrite needs headers of equal length.');
  const fh = await openHandle(file, fsConstants.O_RDWR);
  try {
    lockForRewrite(fh, file);
    const current = readAllSync(fh.fd, oldHeader.length);
    if (!current.equals(oldHeader)) {
      throw new KMSInvalidStateException(`${file} was changed by another process while it was being re-encrypted; try again.`);
    }
    const jpath = await writeRewrapJournal(file, { size, oldHeader, newHeader }, key, fh);
    if (writeSync(fh.fd, newHeader, 0, newHeader.length, 0) !== newHeader.length)
      throw new KMSInternalException('The header could not be written in one piece.');
    await fdatasyncAsync(fh.fd);
    await removeJournal(jpath); // still under the lock: no repair can see a journal half-done
  } finally {
    await fh.close();
  }
}
