/**
 * Durable file operations shared by the store, the file engine and backups: errno codes, temp
 * names next to a target, directory fsync, and moving a finished temp file into place.
 *
 * The pattern everywhere: write a temp file in the target's directory, fsync it, rename (or link)
 * it into place, fsync the directory so the rename itself survives a power cut. Readers see the
 * old file or the new one, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, writev } from 'node:fs';
import { link, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AlreadyExistsException } from '../core/errors.js';

/** The `code` of a Node system error (ENOENT, EEXIST...), if it has one. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/**
 * A fresh temp path in `target`'s directory: `.<name>.<pid>.<random><suffix>`, or without the pid
 * when `withPid` is false. Hidden, unique, and on the same file system as the target (so the
 * final rename is atomic). The pid lets a cleaner tell a live writer's temp file from garbage.
 */
export function tempSiblingPath(target: string, suffix = '.tmp', withPid = true): string {
  const pid = withPid ? `${process.pid}.` : '';
  return join(dirname(target), `.${basename(target)}.${pid}${randomBytes(6).toString('hex')}${suffix}`);
}

/** Error codes of a directory fsync that the platform or file system does not support. */
const DIR_SYNC_UNSUPPORTED: ReadonlySet<string> = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EACCES', 'EBADF']);

/** fsync of a directory, so a rename or unlink in it is durable (a no-op where not supported). */
export async function fsyncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, fsConstants.O_RDONLY);
    await fh.sync();
  } catch (err) {
    const code = errnoCode(err);
    if (code === undefined || !DIR_SYNC_UNSUPPORTED.has(code)) throw err;
  } finally {
    await fh?.close();
  }
}

/** link() errors of a file system without hard links. */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS']);

/**
 * Moves a complete, fsynced temp file to `target` and makes that durable. With `overwrite` a
 * rename replaces any file there; without, link() refuses an existing target atomically (no
 * check-then-write race) and the temp name is removed; a file system without hard links falls
 * back to a last check and a rename. `existsMessage` is the AlreadyExistsException's text.
 */
export async function publishFile(temp: string, target: string, overwrite: boolean, existsMessage: string): Promise<void> {
  if (overwrite) {
    await rename(temp, target);
  } else {
    try {
      await link(temp, target);
      await unlink(temp);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EEXIST') throw new AlreadyExistsException(existsMessage);
      if (code === undefined || !NO_HARD_LINKS.has(code)) throw err;
      if (await stat(target).catch(() => null)) throw new AlreadyExistsException(existsMessage);
      await rename(temp, target);
    }
  }
  await fsyncDirectory(dirname(target));
}

/** Buffers one writev may take (POSIX's IOV_MAX is 1024 on Linux and macOS). */
const MAX_BUFFERS_PER_WRITE = 1024;

/**
 * Writes `parts` back to back from offset 0, with as few system calls as their number allows and
 * without copying them into one buffer first; short writes are resumed where they stopped.
 */
/** What writeAllAt writes through: a FileHandle, or a descriptor wrapped by descriptorWriter. */
export interface PositionalWriter {
  writev(buffers: Buffer[], position: number): Promise<{ bytesWritten: number }>;
}

/** A PositionalWriter over a bare descriptor (its writes run on the thread pool). */
export function descriptorWriter(fd: number): PositionalWriter {
  return {
    writev: (buffers, position) =>
      new Promise((resolve, reject) => writev(fd, buffers, position, (err, bytesWritten) => (err ? reject(err) : resolve({ bytesWritten })))),
  };
}

export async function writeAllAt(handle: PositionalWriter, parts: readonly Buffer[]): Promise<void> {
  let position = 0;
  let i = 0;
  let head: Buffer | undefined = parts[0]; // what is left of parts[i]
  while (head !== undefined) {
    const batch = [head, ...parts.slice(i + 1, i + MAX_BUFFERS_PER_WRITE)];
    let { bytesWritten } = await handle.writev(batch, position);
    if (bytesWritten === 0 && batch.some((b) => b.length > 0)) throw new Error(`the file system took none of ${position} + more bytes`);
    position += bytesWritten;
    for (const part of batch) {
      if (bytesWritten < part.length) {
        head = part.subarray(bytesWritten);
        break;
      }
      bytesWritten -= part.length;
      i++;
      head = parts[i];
    }
  }
}
