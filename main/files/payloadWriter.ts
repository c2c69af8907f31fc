/**
 * The output side of the payload pipeline (payloadPipeline.ts): blocks written in order at
 * increasing positions, a bounded number in flight, each buffer given back to its pool once
 * written, and an fdatasync in the background every `syncEvery` bytes.
 *
 * With a direct (O_DIRECT) handle, only whole runs of `align` bytes at aligned positions go
 * through it. The bytes of a block past its last aligned boundary are held back and written at
 * the head of the next block's buffer: the caller leaves `headroom` bytes free there, so the held
 * bytes and the new block form one contiguous, aligned run. The last unaligned bytes of the file
 * go through the ordinary handle (same inode: the final fsync covers both).
 */
import type { FileHandle } from 'node:fs/promises';
import { releaseBuffer } from '../crypto/age/index.js';

/**
 * Writes in flight. Writes to one file serialize in the kernel anyway; more of them would only
 * hold libuv threadpool threads (4 by default) that the read ahead and the background sync need.
 */
const MAX_WRITES = 2;

/** A run of a buffer: written through this handle, this many bytes. */
type Run = [FileHandle, number];

export interface BufferReturn {
  give(buf: Buffer): void;
}

export class PayloadWriter {
  private readonly inFlight = new Set<Promise<void>>();
  private syncing: Promise<void> | null = null;
  private failure: unknown = null;
  private sinceSync = 0;
  /** Bytes held back (at `position`) for the next block's head. */
  private readonly held: Buffer;
  private heldLength = 0;
  /** Set when the direct handle refused a write (EINVAL); the page cache takes the rest. */
  private directRefused = false;
  /** Bytes per aligned run: 1 without a direct handle. */
  readonly align: number;

  constructor(
    private readonly fh: FileHandle,
    private readonly direct: FileHandle | null,
    directAlign: number,
    private position: number,
    private readonly pool: BufferReturn,
    private readonly syncEvery: number,
  ) {
    this.align = direct === null ? 1 : directAlign;
    if (position % this.align !== 0) throw new RangeError('a direct output must start at an aligned position');
    this.held = Buffer.alloc(this.align);
  }

  /** Bytes the next block's buffer must leave free before its data. */
  get headroom(): number {
    return this.heldLength;
  }

  /**
   * Bytes that come before the first block (not from the pool, reusable once this returns): the
   * aligned part is written through the ordinary handle, the rest is held for the first block.
   */
  async lead(bytes: Buffer): Promise<void> {
    if (this.heldLength !== 0) throw new Error('lead() comes before any block');
    const keep = bytes.length % this.align;
    const whole = bytes.length - keep;
    bytes.copy(this.held, 0, whole);
    this.heldLength = keep;
    if (whole > 0) await this.start(Buffer.from(bytes.subarray(0, whole)), [[this.fh, whole]], 'free');
  }

  /**
   * Writes `buf[headroom, headroom + length)` (once fewer than MAX_WRITES are in flight), the held
   * bytes first. The buffer goes back to the pool when written, or is freed (then it must be the
   * writer's alone). `final`: nothing follows, so nothing is held back.
   */
  async write(buf: Buffer, length: number, final: boolean, fromPool = true): Promise<void> {
    const head = this.heldLength;
    const total = head + length;
    const rest = total % this.align;
    const aligned = total - rest;
    const out = this.direct ?? this.fh;
    // The held bytes are copied out before anything else can run: a later write() waits in start().
    this.held.copy(buf, 0, 0, head);
    if (final) this.heldLength = 0;
    else {
      buf.copy(this.held, 0, aligned, total);
      this.heldLength = rest;
    }
    const runs: Run[] =
      final && rest > 0
        ? [
            [out, aligned],
            [this.fh, rest],
          ]
        : [[out, aligned]];
    await this.start(buf, runs, fromPool ? 'pool' : 'free');
  }

  /**
   * Writes the runs of `buf` one after the other from the current position, in the background;
   * then the buffer goes back to the pool or is freed.
   */
  private async start(buf: Buffer, runs: Run[], release: 'pool' | 'free'): Promise<void> {
    while (this.inFlight.size >= MAX_WRITES) await Promise.race(this.inFlight);
    this.throwIfFailed();
    let total = 0;
    for (const [, length] of runs) total += length;
    const at = this.position;
    this.position += total;
    const p: Promise<void> = (async () => {
      let from = 0;
      for (const [fh, length] of runs) {
        await this.writeAll(fh, buf, from, length, at + from);
        from += length;
      }
    })().then(
      () => this.written(total),
      (err: unknown) => {
        this.failure ??= err;
      },
    );
    this.inFlight.add(p);
    void p.then(() => {
      this.inFlight.delete(p);
      if (release === 'pool') this.pool.give(buf);
      else releaseBuffer(buf);
    });
  }

  private written(length: number): void {
    this.sinceSync += length;
    if (this.syncEvery > 0 && this.sinceSync >= this.syncEvery && this.syncing === null && this.failure === null) {
      this.sinceSync = 0;
      this.syncing = this.fh.datasync().then(
        () => {
          this.syncing = null;
        },
        (err: unknown) => {
          this.failure ??= err;
          this.syncing = null;
        },
      );
    }
  }

  private async writeAll(fh: FileHandle, buf: Buffer, from: number, length: number, at: number): Promise<void> {
    if (fh === this.direct && this.directRefused) fh = this.fh;
    try {
      await this.writeRun(fh, buf, from, length, at);
    } catch (err) {
      // A file system that opened with O_DIRECT but wants another alignment says EINVAL: the
      // same bytes go through the page cache, now and for the rest of the job.
      if (fh !== this.direct || (err as { code?: unknown }).code !== 'EINVAL') throw err;
      this.directRefused = true;
      await this.writeRun(this.fh, buf, from, length, at);
    }
  }

  private async writeRun(fh: FileHandle, buf: Buffer, from: number, length: number, at: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const { bytesWritten } = await fh.write(buf, from + done, length - done, at + done);
      done += bytesWritten;
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** Waits until every write and the background sync are done; throws the first failure. */
  async flush(): Promise<void> {
    await this.settle();
    this.throwIfFailed();
  }

  /** Waits for every write and sync, never throwing. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    await this.syncing;
  }
}
