/**
 * In-place header rewrites of many files of one folder at once, crash-safely, with one journal and
 * one durability round for all of them (re-encrypt-files; one file at a time is rewrapJournal.ts).
 *
 * 1. `.keyvault-rewrap-batch` in the folder: magic, then for each file its name, device, inode,
 *    size, old header and new header, and an HMAC-SHA256 of all of it under the vault's journal
 *    key. Created exclusively and flock'ed before a byte is written, made durable with its name.
 * 2. One pwrite of each new header at offset 0 (same length as the old one); then one syncfs(2)
 *    per filesystem (native/posixfs, on the thread pool) makes them all durable in one round,
 *    where an fdatasync each costs a disk flush each. Without syncfs (not Linux), every file is
 *    fdatasync'ed, all at once through the thread pool.
 * 3. The journal is removed (not durably: one that reappears after a crash finds every file
 *    already rewritten, and is removed by the next repair); only then are the locks released.
 * Every file is flock'ed (the rewrite lock of rewrapJournal.ts) and its header checked unchanged
 * before step 1, so no other re-encrypt of it, in any process, interleaves.
 *
 * The journal obeys the per-file journal's trust rules (journalFiles.ts): the user's own regular
 * file with one link, opened without following links, authentic under this vault's key, and each
 * entry bound to its very file (device, inode, size), by name within the journal's own folder. One
 * that fails a check is left in place: ReEncrypt refuses with KMSInvalidStateException, Decrypt and
 * Inspect ignore it. Only ReEncrypt repairs from it, and only once it holds the journal's lock (its
 * writer is gone) and every named file's lock. A journal shorter than it says it is was cut short
 * in step 1, before any header was touched, and is removed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { closeSync, fdatasync, fstatSync, fsync, constants as fsConstants, open, openSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { KMSInternalException, KMSInvalidStateException } from '../core/errors.js';
import { loadPosixFs } from '../store/posixFs.js';
import { errnoCode } from './fileIo.js';
import { syncDirShared } from './groupSync.js';
import {
  bindingOf,
  isTornBetween,
  nameExists,
  openJournalFile,
  readAllSync,
  sameFile,
  stillNamed,
  tryLock,
  untrustedJournal,
  type Binding,
} from './journalFiles.js';

export const BATCH_JOURNAL_NAME = '.keyvault-rewrap-batch';
const MAGIC = Buffer.from('keyvault-rewrap-batch/v1\n', 'latin1');
const MAC_BYTES = 32;
/** device, inode, size (u64 each), header length (u32), after a u16-prefixed name. */
const ENTRY_FIXED = 2 + 3 * 8 + 4;
/** A batch is at most this many files, each header at most 64 KiB in place (far more than any). */
export const MAX_BATCH_FILES = 256;
const MAX_HEADER = 64 << 10;
const MAX_BATCH_BYTES = MAGIC.length + 4 + MAX_BATCH_FILES * (ENTRY_FIXED + 4096 + 2 * MAX_HEADER) + MAC_BYTES;

const fsyncAsync = promisify(fsync);
const fdatasyncAsync = promisify(fdatasync);
const openAsync = promisify(open);

export function batchJournalPath(dir: string): string {
  return join(dir, BATCH_JOURNAL_NAME);
}

export interface BatchEntry {
  /** The file's name within the journal's folder. */
  name: string;
  file: Binding;
  oldHeader: Buffer;
  newHeader: Buffer;
}

function mac(key: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

export function encodeBatch(entries: readonly BatchEntry[], key: Buffer): Buffer {
  const parts: Buffer[] = [MAGIC];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const fixed = Buffer.alloc(ENTRY_FIXED);
    fixed.writeUInt16BE(name.length, 0);
    fixed.writeBigUInt64BE(e.file.dev, 2);
    fixed.writeBigUInt64BE(e.file.ino, 10);
    fixed.writeBigUInt64BE(e.file.size, 18);
    fixed.writeUInt32BE(e.newHeader.length, 26);
    parts.push(fixed.subarray(0, 2), name, fixed.subarray(2), e.oldHeader, e.newHeader);
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, mac(key, body)]);
}

type Decoded = { kind: 'journal'; entries: BatchEntry[] } | { kind: 'incomplete' } | { kind: 'untrusted'; reason: string };

/** Parses a batch journal; 'incomplete' when it ends before its last declared byte. */
export function decodeBatch(data: Buffer, key: Buffer): Decoded {
  const magicPart = Math.min(MAGIC.length, data.length);
  if (!data.subarray(0, magicPart).equals(MAGIC.subarray(0, magicPart))) {
    return { kind: 'untrusted', reason: 'is not a re-encrypt journal of this version of Key Vault' };
  }
  let at = MAGIC.length;
  if (data.length < at + 4) return { kind: 'incomplete' };
  const count = data.readUInt32BE(at);
  at += 4;
  if (count > MAX_BATCH_FILES) return { kind: 'untrusted', reason: 'names more files than any batch' };
  const spans: { name: string; file: Binding; start: number; length: number }[] = [];
  for (let i = 0; i < count; i++) {
    if (data.length < at + 2) return { kind: 'incomplete' };
    const nameLength = data.readUInt16BE(at);
    if (data.length < at + nameLength + ENTRY_FIXED) return { kind: 'incomplete' };
    const name = data.toString('utf8', at + 2, at + 2 + nameLength);
    const f = at + 2 + nameLength;
    const file = { dev: data.readBigUInt64BE(f), ino: data.readBigUInt64BE(f + 8), size: data.readBigUInt64BE(f + 16) };
    const length = data.readUInt32BE(f + 24);
    if (length > MAX_HEADER) return { kind: 'untrusted', reason: 'describes a header larger than any' };
    spans.push({ name, file, start: f + ENTRY_FIXED - 2, length });
    at = f + ENTRY_FIXED - 2 + 2 * length;
  }
  if (data.length < at + MAC_BYTES) return { kind: 'incomplete' };
  if (data.length !== at + MAC_BYTES || !timingSafeEqual(mac(key, data.subarray(0, at)), data.subarray(at))) {
    return { kind: 'untrusted', reason: 'fails authentication (it was not written by this vault, or was changed since)' };
  }
  const entries: BatchEntry[] = [];
  for (const s of spans) {
    if (s.name === '' || s.name.includes('/') || s.name === '.' || s.name === '..' || s.name.includes('\0')) {
      return { kind: 'untrusted', reason: 'names a file outside its folder' };
    }
    entries.push({
      name: s.name,
      file: s.file,
      oldHeader: data.subarray(s.start, s.start + s.length),
      newHeader: data.subarray(s.start + s.length, s.start + 2 * s.length),
    });
  }
  return { kind: 'journal', entries };
}

type Read = { kind: 'none' } | Decoded;

/** Reads and checks the batch journal of `dir` (ReEncrypt holds its lock first; Decrypt reads only). */
function readBatch(dir: string, key: Buffer, lock: boolean): Read & { fd?: number } {
  const jpath = batchJournalPath(dir);
  const opened = openJournalFile(jpath, MAX_BATCH_BYTES);
  if (opened.kind !== 'open') return opened;
  let keep = false;
  try {
    if (lock) {
      if (!tryLock(opened.fd)) throw new KMSInvalidStateException(`A re-encrypt of files in ${dir} is in progress; try again when it has finished.`);
      // Its writer may have finished and removed it between our open and our lock.
      if (!stillNamed(jpath, opened.fd)) return { kind: 'none' };
    }
    const decoded = decodeBatch(readAllSync(opened.fd, Number(fstatSync(opened.fd).size)), key);
    keep = lock;
    return { ...decoded, fd: opened.fd };
  } finally {
    if (!keep) closeSync(opened.fd);
  }
}

/**
 * Removes the journal. Making the removal durable is optional: a journal that comes back after a
 * crash describes files that all have their new headers, and the next ReEncrypt's repair removes it.
 */
async function removeBatchJournal(dir: string, durably: boolean): Promise<void> {
  try {
    unlinkSync(batchJournalPath(dir));
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  if (durably) await syncDirShared(dir);
}

/**
 * For ReEncrypt only: finishes or undoes an interrupted batch rewrite in `dir`, if one was left
 * behind. Throws KMSInvalidStateException (and changes nothing) for a journal it cannot trust, or
 * while the batch is still being written (its journal or one of its files is locked).
 */
export async function repairBatch(dir: string, key: Buffer): Promise<'none' | 'discarded' | 'repaired'> {
  const jpath = batchJournalPath(dir);
  if (!nameExists(jpath)) return 'none';
  const found = readBatch(dir, key, true);
  const held: number[] = found.fd === undefined ? [] : [found.fd];
  try {
    if (found.kind === 'none') return 'none';
    if (found.kind === 'untrusted') throw untrustedJournal(`the files of ${dir}`, jpath, found.reason);
    if (found.kind === 'incomplete') {
      await removeBatchJournal(dir, true);
      return 'discarded';
    }
    const open: { fd: number; entry: BatchEntry }[] = [];
    for (const entry of found.entries) {
      const path = join(dir, entry.name);
      let fd: number;
      try {
        fd = openSync(path, fsConstants.O_RDWR | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') continue; // removed since: nothing to finish
        if (errnoCode(err) === 'ELOOP') throw untrustedJournal(path, jpath, 'names a file that is now a symbolic link');
        throw err;
      }
      held.push(fd);
      if (!tryLock(fd)) throw new KMSInvalidStateException(`Another re-encrypt of ${path} is in progress; try again when it has finished.`);
      if (!sameFile(bindingOf(fstatSync(fd, { bigint: true })), entry.file)) {
        throw untrustedJournal(path, jpath, 'was written for another file (device, inode or size differ)');
      }
      open.push({ fd, entry });
    }
    const torn = open.filter(({ fd, entry }) => {
      const current = readAllSync(fd, entry.newHeader.length);
      // Untouched (old) files are left as they are, as the per-file repair rolls them back.
      if (current.length !== entry.newHeader.length || current.equals(entry.newHeader) || current.equals(entry.oldHeader)) return false;
      return isTornBetween(current, entry.oldHeader, entry.newHeader);
    });
    for (const { fd, entry } of torn) writeWhole(fd, entry.newHeader);
    await syncAll(torn.map((t) => ({ fd: t.fd, dev: t.entry.file.dev })));
    await removeBatchJournal(dir, true);
    return 'repaired';
  } finally {
    for (const fd of held) closeSync(fd);
  }
}

/**
 * For Decrypt and Inspect, which never write: refuses a file whose header was torn by an
 * interrupted batch (per a journal that passes every check). Anything else is left to be read.
 */
export function assertNoInterruptedBatch(file: string, key: Buffer): void {
  const dir = dirname(file);
  if (!nameExists(batchJournalPath(dir))) return;
  const found = readBatch(dir, key, false);
  if (found.kind !== 'journal') return;
  const entry = found.entries.find((e) => e.name === basename(file));
  if (!entry) return;
  let fd: number;
  try {
    fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch {
    return; // opening the input reports it
  }
  try {
    if (!sameFile(bindingOf(fstatSync(fd, { bigint: true })), entry.file)) return;
    const current = readAllSync(fd, entry.newHeader.length);
    if (current.length !== entry.newHeader.length || current.equals(entry.oldHeader) || current.equals(entry.newHeader)) return;
    if (isTornBetween(current, entry.oldHeader, entry.newHeader)) {
      throw new KMSInvalidStateException(
        `A re-encrypt of ${file} was interrupted half-way through its header (journal ${batchJournalPath(dir)}). ` +
          'Run re-encrypt-file on it to finish the rewrite; until then it cannot be read.',
      );
    }
  } finally {
    closeSync(fd);
  }
}

/** Makes what was written to these files durable: one syncfs per filesystem, or an fdatasync each. */
async function syncAll(files: readonly { fd: number; dev: bigint }[]): Promise<void> {
  if (files.length === 0) return;
  if (process.platform === 'linux') {
    const byDevice = new Map<bigint, number>();
    for (const f of files) if (!byDevice.has(f.dev)) byDevice.set(f.dev, f.fd);
    const posix = loadPosixFs();
    await Promise.all([...byDevice.values()].map((fd) => posix.syncfs(fd)));
    return;
  }
  await Promise.all(files.map(({ fd }) => fdatasyncAsync(fd)));
}

function writeWhole(fd: number, header: Buffer): void {
  if (writeSync(fd, header, 0, header.length, 0) !== header.length) throw new KMSInternalException('The header could not be written in one piece.');
}

/** One file of a batch: its path in the folder, its size and the header it has and will have. */
export interface BatchRewrite {
  path: string;
  size: number;
  oldHeader: Buffer;
  newHeader: Buffer;
}

/**
 * Rewrites the headers of `rewrites` (all in `dir`, at most MAX_BATCH_FILES) as one batch. Returns,
 * in order, null for each file now durably rewritten, or the error that kept it out of the batch
 * (it was changed, or is being rewritten elsewhere); such a file is left untouched. Throws when the
 * batch itself fails: files may then be half-way, and the journal left for repairBatch.
 */
export async function rewriteBatchInPlace(dir: string, rewrites: readonly BatchRewrite[], key: Buffer): Promise<(Error | null)[]> {
  if (rewrites.length > MAX_BATCH_FILES) throw new KMSInternalException('A re-encrypt batch is limited in size.');
  const outcome: (Error | null)[] = rewrites.map(() => null);
  const held: number[] = [];
  const taken: { fd: number; entry: BatchEntry }[] = [];
  try {
    rewrites.forEach((r, i) => {
      const fail = (msg: string): void => void (outcome[i] = new KMSInvalidStateException(msg));
      if (r.oldHeader.length !== r.newHeader.length || r.newHeader.length > MAX_HEADER || join(dir, basename(r.path)) !== r.path) {
        return fail(`${r.path} cannot be rewritten in place with the others.`);
      }
      let fd: number;
      try {
        fd = openSync(r.path, fsConstants.O_RDWR | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
      } catch (err) {
        outcome[i] = err instanceof Error ? err : new Error(String(err));
        return;
      }
      held.push(fd);
      if (!tryLock(fd)) return fail(`Another re-encrypt of ${r.path} is in progress; try again when it has finished.`);
      const file = bindingOf(fstatSync(fd, { bigint: true }));
      if (file.size !== BigInt(r.size) || !readAllSync(fd, r.oldHeader.length).equals(r.oldHeader)) {
        return fail(`${r.path} was changed by another process while it was being re-encrypted; try again.`);
      }
      taken.push({ fd, entry: { name: basename(r.path), file, oldHeader: r.oldHeader, newHeader: r.newHeader } });
    });
    if (taken.length === 0) return outcome;
    const jfd = await createBatchJournal(dir);
    held.push(jfd);
    try {
      const data = encodeBatch(
        taken.map((t) => t.entry),
        key,
      );
      if (writeSync(jfd, data, 0, data.length, 0) !== data.length) throw new KMSInternalException('The re-encrypt journal could not be written.');
      // The journal and its name, durable before any header is touched.
      await fsyncAsync(jfd);
      await syncDirShared(dir);
    } catch (err) {
      unlinkSync(batchJournalPath(dir)); // no header was touched: the journal is of no use
      throw err;
    }
    for (const { fd, entry } of taken) writeWhole(fd, entry.newHeader);
    await syncAll(taken.map((t) => ({ fd: t.fd, dev: t.entry.file.dev })));
    // Still under every lock: no repair sees a journal half-done. Not waiting for the removal to
    // be durable saves a flush per batch.
    await removeBatchJournal(dir, false);
    return outcome;
  } finally {
    for (const fd of held) closeSync(fd);
  }
}

/** Creates the batch journal exclusively and takes its lock, or says a batch is in progress here. */
async function createBatchJournal(dir: string): Promise<number> {
  const jpath = batchJournalPath(dir);
  let fd: number;
  try {
    fd = await openAsync(jpath, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') throw new KMSInvalidStateException(`A re-encrypt of files in ${dir} is in progress, or was interrupted.`);
    throw err;
  }
  // A repair that opened it in the instant before our lock holds it (and will remove it as empty).
  if (!tryLock(fd) || !stillNamed(jpath, fd)) {
    closeSync(fd);
    throw new KMSInvalidStateException(`A re-encrypt of files in ${dir} is in progress; try again when it has finished.`);
  }
  return fd;
}
