/**
 * O_DIRECT output for the payload pipeline. A buffered write() copies every byte into the page
 * cache first, and that copy is most of the CPU time of a large encrypt or decrypt (see
 * docs/design-notes.md, "File jobs and the page cache"); a direct write hands the pool buffer to
 * the disk as it is. Direct writes need their memory, file offset and length aligned to
 * DIRECT_ALIGN, so they are only used where all three can be had: Linux, a file system that
 * accepts O_DIRECT, and the posixfs addon to find buffer addresses. Everywhere else the pipeline
 * writes through the page cache as before.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { loadPosixFs } from '../store/posixFs.js';

/** Alignment of direct writes: memory, file offset and length (a page; enough for any disk). */
export const DIRECT_ALIGN = 4096;

type AlignOffset = (view: Uint8Array, align: number) => number;

function alignOffsetFn(): AlignOffset | null {
  if (process.platform !== 'linux' || constants.O_DIRECT === undefined) return null;
  try {
    return loadPosixFs().alignOffset ?? null;
  } catch {
    return null;
  }
}

/**
 * A second handle on the same file opened with O_DIRECT (through /proc/self/fd, so it works for
 * unnamed outputs too), or null where direct writes are not to be had. The caller closes it.
 */
export async function openDirectTwin(fh: FileHandle): Promise<FileHandle | null> {
  if (alignOffsetFn() === null) return null;
  try {
    return await open(`/proc/self/fd/${fh.fd}`, constants.O_RDWR | constants.O_DIRECT);
  } catch {
    return null; // EINVAL: this file system takes no O_DIRECT
  }
}

/**
 * `size` bytes of memory starting at an `align`-aligned address (`align` 1: any). The buffer owns
 * a slice of a larger allocation, so it must not be handed to releaseBuffer().
 */
export function allocAligned(size: number, align: number): Buffer {
  if (align <= 1) return Buffer.allocUnsafeSlow(size);
  const alignOffset = alignOffsetFn();
  if (alignOffset === null) throw new Error('aligned buffers need the posixfs addon');
  const raw = Buffer.allocUnsafeSlow(size + align);
  const at = alignOffset(raw, align);
  return raw.subarray(at, at + size);
}
