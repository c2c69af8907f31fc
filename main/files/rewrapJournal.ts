/**
 * In-place header rewrite with a journal, so a crash at any moment leaves a file that opens with
 * the old header or the new one.
 *
 * 1. `.<name>.keyvault-rewrap` next to the file: magic, file size, old header, new header and a
 *    SHA-256 of all of it; fsynced, and the directory fsynced.
 * 2. One pwrite of the new header at offset 0 (same length as the old one), fdatasync.
 * 3. The journal is removed and the directory fsynced.
 *
 * Every open of a file first calls repairRewrap(): a journal that is incomplete or fails its
 * checksum was never followed by step 2, so it is simply removed; a complete journal whose file
 * starts with the new header is removed; one whose file starts with the old header is removed
 * (the rewrite never happened); a file whose header is torn (every byte old or new, but neither
 * whole) gets the new header written again. A file that matches none of that is not the one the
 * journal was written for and is left alone.
 */
import { createHash } from 'node:crypto';
import { open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KMSInternalException, KMSInvalidStateException } from '../core/errors.js';
import { errnoCode, fsyncDir, readFull } from './fileIo.js';

const MAGIC = Buffer.from('keyvault-rewrap/v1\n', 'latin1');
const DIGEST_BYTES = 32;

export type RepairOutcome = 'none' | 'discarded' | 'rolled-back' | 'completed' | 'repaired';

export function journalPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.keyvault-rewrap`);
}

interface Journal {
  size: number;
  oldHeader: Buffer;
  newHeader: Buffer;
}

function encodeJournal(j: Journal): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUIntBE(j.size, 0, 6);
  fixed.writeUInt32BE(j.oldHeader.length, 8);
  fixed.writeUInt32BE(j.newHeader.length, 12);
  const body = Buffer.concat([MAGIC, fixed, j.oldHeader, j.newHeader]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

function decodeJournal(data: Buffer): Journal | null {
  const fixedAt = MAGIC.length;
  if (data.length < fixedAt + 16 + DIGEST_BYTES || !data.subarray(0, fixedAt).equals(MAGIC)) return null;
  const body = data.subarray(0, data.length - DIGEST_BYTES);
  if (!createHash('sha256').update(body).digest().equals(data.subarray(data.length - DIGEST_BYTES))) return null;
  const size = data.readUIntBE(fixedAt, 6);
  const oldLength = data.readUInt32BE(fixedAt + 8);
  const newLength = data.readUInt32BE(fixedAt + 12);
  const start = fixedAt + 16;
  if (start + oldLength + newLength !== body.length || oldLength !== newLength) return null;
  return { size, oldHeader: data.subarray(start, start + oldLength), newHeader: data.subarray(start + oldLength, start + oldLength + newLength) };
}

async function removeJournal(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  await fsyncDir(dirname(path));
}

/** Finishes or undoes an interrupted in-place header rewrite of `file`, if one was left behind. */
export async function repairRewrap(file: string): Promise<RepairOutcome> {
  const jpath = journalPath(file);
  let data: Buffer;
  try {
    data = await readFile(jpath);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'none';
    throw err;
  }
  const journal = decodeJournal(data);
  if (journal === null) {
    await removeJournal(jpath);
    return 'discarded';
  }
  let fh: FileHandle;
  try {
    fh = await open(file, 'r+');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
    await removeJournal(jpath);
    return 'discarded';
  }
  let outcome: RepairOutcome;
  try {
    const size = (await fh.stat()).size;
    const len = journal.newHeader.length;
    const current = Buffer.alloc(len);
    const n = size === journal.size ? await readFull(fh, current, 0, len) : -1;
    if (n !== len) {
      outcome = 'discarded';
    } else if (current.equals(journal.newHeader)) {
      outcome = 'completed';
    } else if (current.equals(journal.oldHeader)) {
      outcome = 'rolled-back';
    } else if (isTornBetween(current, journal.oldHeader, journal.newHeader)) {
      await writeHeaderInPlace(fh, journal.newHeader);
      outcome = 'repaired';
    } else {
      outcome = 'discarded';
    }
  } finally {
    await fh.close();
  }
  await removeJournal(jpath);
  return outcome;
}

/** Every byte is either the old or the new one: what an interrupted write leaves. */
function isTornBetween(current: Buffer, a: Buffer, b: Buffer): boolean {
  for (let i = 0; i < current.length; i++) if (current[i] !== a[i] && current[i] !== b[i]) return false;
  return true;
}

async function writeHeaderInPlace(fh: FileHandle, header: Buffer): Promise<void> {
  const { bytesWritten } = await fh.write(header, 0, header.length, 0);
  if (bytesWritten !== header.length) throw new KMSInternalException('The header could not be written in one piece.');
  await fh.datasync();
}

/** Steps 1 and 2 without step 3: used by tests to leave a journal behind as a crash would. */
export async function writeRewrapJournal(file: string, journal: Journal): Promise<string> {
  const jpath = journalPath(file);
  let fh: FileHandle;
  try {
    fh = await open(jpath, 'wx', 0o600);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') throw new KMSInvalidStateException(`Another re-encrypt of ${file} is in progress.`);
    throw err;
  }
  try {
    const data = encodeJournal(journal);
    const { bytesWritten } = await fh.write(data, 0, data.length, 0);
    if (bytesWritten !== data.length) throw new KMSInternalException('The re-encrypt journal could not be written.');
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(jpath).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await fsyncDir(dirname(jpath));
  return jpath;
}

/**
 * Replaces the header of `file` (whose first `oldHeader.length` bytes are `oldHeader`) by
 * `newHeader` of the same length, crash-safely.
 */
export async function rewriteHeaderInPlace(file: string, oldHeader: Buffer, newHeader: Buffer, size: number): Promise<void> {
  if (oldHeader.length !== newHeader.length) throw new KMSInternalException('In-place rewrite needs headers of equal length.');
  const jpath = await writeRewrapJournal(file, { size, oldHeader, newHeader });
  const fh = await open(file, 'r+');
  try {
    await writeHeaderInPlace(fh, newHeader);
  } finally {
    await fh.close();
  }
  await removeJournal(jpath);
}
