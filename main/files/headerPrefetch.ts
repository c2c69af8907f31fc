/**
 * Brings the first bytes of many files into the page cache with reads in flight at once. The
 * rewrap and scan code reads headers with synchronous calls (cheapest when the files are cached),
 * but on files the machine has not read lately each of those waits for the disk in turn; a few
 * parallel reads on the thread pool first let the disk serve them together. Errors are ignored:
 * the real read that follows reports them.
 */
import { close, constants, open, read } from 'node:fs';

const PREFETCH_BYTES = 4096;
const IN_FLIGHT = 16;

function warmOne(path: string, buf: Buffer): Promise<void> {
  return new Promise((resolve) => {
    open(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0), (err, fd) => {
      if (err) return resolve();
      read(fd, buf, 0, buf.length, 0, () => close(fd, () => resolve()));
    });
  });
}

/** Reads the first 4 KiB of each path, IN_FLIGHT at a time. */
export async function prefetchHeaders(paths: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    const buf = Buffer.allocUnsafe(PREFETCH_BYTES);
    while (next < paths.length) await warmOne(paths[next++]!, buf);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, paths.length) }, worker));
}
