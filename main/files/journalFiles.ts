/**
 * What the per-file re-encrypt journal (rewrapJournal.ts) and the batch journal (rewrapBatch.ts)
 * share: opening a journal only when it can be trusted as a file (the user's own regular file, one
 * link, not a symbolic link, of a sane size), the rewrite lock on a file, and the torn-header test.
 * Whether its contents are authentic is each format's own check.
 */
import { closeSync, constants as fsConstants, fstatSync, lstatSync, openSync, readSync, type BigIntStats } from 'node:fs';
import { KMSInvalidStateException } from '../core/errors.js';
import { loadPosixFs } from '../store/posixFs.js';
import { errnoCode } from './fileIo.js';

/** The file a journal entry is for: a journal copied next to another file does not apply to it. */
export interface Binding {
  dev: bigint;
  ino: bigint;
  size: bigint;
}

export function bindingOf(st: BigIntStats): Binding {
  return { dev: st.dev, ino: st.ino, size: st.size };
}

export function sameFile(a: Binding, b: Binding): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size;
}

export type OpenedJournal = { kind: 'none' } | { kind: 'untrusted'; reason: string } | { kind: 'open'; fd: number; size: number };

/**
 * Opens a journal for reading if it passes the file checks; the caller closes `fd`. O_NOFOLLOW: a
 * link is refused by the kernel; O_NONBLOCK: a planted FIFO cannot hang us.
 */
export function openJournalFile(jpath: string, maxBytes: number): OpenedJournal {
  let fd: number;
  try {
    fd = openSync(jpath, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return { kind: 'none' };
    if (code === 'ELOOP') return { kind: 'untrusted', reason: 'is a symbolic link' };
    if (code === 'EACCES' || code === 'EPERM') return { kind: 'untrusted', reason: 'cannot be read (it is not yours)' };
    throw err;
  }
  const st = fstatSync(fd, { bigint: true });
  const uid = process.getuid?.();
  let reason: string | null = null;
  if (!st.isFile()) reason = 'is not a regular file';
  else if (uid !== undefined && st.uid !== BigInt(uid)) reason = `belongs to user id ${st.uid}, not to you (user id ${uid})`;
  else if (st.nlink !== 1n) reason = 'has other hard links';
  else if (st.size > BigInt(maxBytes)) reason = 'is far larger than any journal';
  if (reason !== null) {
    closeSync(fd);
    return { kind: 'untrusted', reason };
  }
  return { kind: 'open', fd, size: Number(st.size) };
}

/** Reads the whole of an open file from offset 0 (at most `length` bytes). */
export function readAllSync(fd: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** Whether anything (file, link, FIFO...) has this name; an error other than ENOENT says yes, to look closer. */
export function nameExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (err) {
    return errnoCode(err) !== 'ENOENT';
  }
}

/** Whether `path` still names the file open as `fd` (it was not removed or replaced meanwhile). */
export function stillNamed(path: string, fd: number): boolean {
  try {
    const named = lstatSync(path, { bigint: true });
    const open = fstatSync(fd, { bigint: true });
    return named.dev === open.dev && named.ino === open.ino;
  } catch {
    return false;
  }
}

/** An exclusive flock without waiting: false when another rewrite (in any process) holds it. */
export function tryLock(fd: number): boolean {
  if (process.platform === 'win32') return true;
  return loadPosixFs().lock(fd, true, true);
}

/** Every byte is either the old or the new one: what an interrupted write leaves. */
export function isTornBetween(current: Buffer, a: Buffer, b: Buffer): boolean {
  for (let i = 0; i < current.length; i++) if (current[i] !== a[i] && current[i] !== b[i]) return false;
  return true;
}

export function untrustedJournal(file: string, jpath: string, reason: string): KMSInvalidStateException {
  return new KMSInvalidStateException(
    `Found ${jpath}, which ${reason}, so it was not used to change ${file} and was left in place. ` +
      'If no re-encrypt of this file by this vault was interrupted, remove it and try again; if it is not yours, find out who put it there.',
  );
}
