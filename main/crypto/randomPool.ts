/**
 * Random bytes drawn from a pool refilled 4 KiB at a time from the CSPRNG: a call to it costs
 * microseconds, so per-item calls dominated work made of many small draws (an IV per blob, an IV
 * and 32 bytes of material per key version in a catch-up of 1,000 rotations). Bytes handed out are
 * zeroed in the pool, so no copy of them stays behind.
 */
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let offset = pool.length;

/** Fills `out[at, at + n)` with fresh random bytes. */
export function randomInto(out: Buffer, at: number, n: number): void {
  let done = 0;
  while (done < n) {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const take = Math.min(n - done, pool.length - offset);
    pool.copy(out, at + done, offset, offset + take);
    pool.fill(0, offset, offset + take);
    offset += take;
    done += take;
  }
}

/** `n` fresh random bytes in a buffer of their own. */
export function randomBuffer(n: number): Buffer {
  const out = Buffer.alloc(n);
  randomInto(out, 0, n);
  return out;
}
