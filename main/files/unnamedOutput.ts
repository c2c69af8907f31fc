/**
 * Outputs with no name until they are complete (Linux O_TMPFILE, through store/posixFs.ts). A
 * decrypt killed half-way (SIGKILL, power loss) used to leave its partial plaintext in a hidden
 * `.NAME.*.keyvault-part` file that nothing removed; an unnamed file is freed by the kernel with
 * the process. Where it is not available (another OS, a file system without O_TMPFILE, the addon
 * not built) callers fall back to a named temporary file.
 */
import { closeSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { AlreadyExistsException } from '../core/errors.js';
import { loadPosixFs } from '../store/posixFs.js';

/** A new unnamed file in `dir`, or null when this system cannot make one there. */
export async function openUnnamedOutput(dir: string, mode: number): Promise<FileHandle | null> {
  if (process.platform !== 'linux') return null;
  let fd: number;
  try {
    fd = loadPosixFs().openUnnamed(dir, mode);
  } catch {
    return null; // no addon, no O_TMPFILE here, or a directory the named path reports on properly
  }
  try {
    // node:fs cannot adopt a raw descriptor as a FileHandle; reopening the inode through /proc can.
    return await open(`/proc/self/fd/${fd}`, 'r+');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Gives the unnamed file its final name, with the data already synced. Without `overwrite` it is
 * linked straight to `finalPath`, which fails if that exists (so nothing is ever replaced); with
 * it, linked to `tempPath` and renamed over `finalPath`.
 */
export async function nameUnnamedOutput(fh: FileHandle, finalPath: string, tempPath: string, overwrite: boolean): Promise<void> {
  const posix = loadPosixFs();
  if (!overwrite) {
    try {
      posix.linkUnnamed(fh.fd, finalPath);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'EEXIST') throw new AlreadyExistsException(`${finalPath} already exists (use Overwrite to replace it).`);
      throw err;
    }
    return;
  }
  posix.linkUnnamed(fh.fd, tempPath);
  try {
    await rename(tempPath, finalPath);
  } catch (err) {
    await unlink(tempPath).catch(() => undefined);
    throw err;
  }
}
