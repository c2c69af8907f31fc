/** Reference operations that several benchmarks measure against, so each is written once. */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A bare durable replace of `<dir>/ref.json` with `bytes`: write, fsync, rename, fsync the directory. Returns ms. */
export function bareDurableWriteMs(dir: string, bytes: Buffer): number {
  const t0 = performance.now();
  const tmp = join(dir, 'ref.tmp');
  const fd = openSync(tmp, 'w');
  writeSync(fd, bytes);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, join(dir, 'ref.json'));
  const dfd = openSync(dir, 'r');
  fsyncSync(dfd);
  closeSync(dfd);
  return performance.now() - t0;
}
