/**
 * The input side of the payload pipeline (payloadPipeline.ts): a fixed pool of block buffers and
 * sequential reads into them, one in flight, running ahead of the consumer while buffers are free.
 */
import { allocAligned } from './directIo.js';
import type { PayloadSource } from './fileIo.js';

class Waiter {
  private wake: (() => void) | null = null;
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }
  notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** The fixed set of block buffers; `onFree` runs whenever one comes back. */
export class BufferPool {
  private readonly free: Buffer[] = [];
  onFree: () => void = () => undefined;

  constructor(count: number, size: number, align: number) {
    for (let i = 0; i < count; i++) this.free.push(allocAligned(size, align));
  }

  tryTake(): Buffer | undefined {
    return this.free.pop();
  }

  give(buf: Buffer): void {
    this.free.push(buf);
    this.onFree();
  }
}

export interface Block {
  buf: Buffer;
  /** Where the block's bytes start in `buf`. */
  at: number;
  length: number;
}

/**
 * Sequential reads of `blockSize` bytes into pool buffers (block i at `offsetOf(i)` in its
 * buffer), one read in flight, running ahead of the consumer as long as there are free buffers.
 */
export class BlockReader {
  private readonly ready: Block[] = [];
  private reading: Promise<void> | null = null;
  private eof = false;
  private failure: unknown = null;
  private readonly waiter = new Waiter();
  private index = 0;

  constructor(
    private readonly source: PayloadSource,
    private readonly blockSize: number,
    private readonly pool: BufferPool,
    private readonly offsetOf: (index: number) => number = () => 0,
  ) {
    pool.onFree = () => this.pump();
  }

  /** Starts the next read if there is a buffer for it. */
  pump(): void {
    if (this.reading !== null || this.eof || this.failure !== null) return;
    const buf = this.pool.tryTake();
    if (buf === undefined) return;
    const at = this.offsetOf(this.index++);
    this.reading = this.source.fill(buf.subarray(at), this.blockSize).then(
      (n) => {
        if (n < this.blockSize) this.eof = true;
        if (n > 0) this.ready.push({ buf, at, length: n });
        else this.pool.give(buf);
      },
      (err: unknown) => {
        this.failure = err;
        this.pool.give(buf);
      },
    );
    void this.reading.then(() => {
      this.reading = null;
      this.waiter.notify();
      this.pump();
    });
  }

  /** The next block, or null at the end of the file. */
  async next(): Promise<Block | null> {
    for (;;) {
      const block = this.ready.shift();
      if (block !== undefined) {
        this.pump();
        return block;
      }
      if (this.failure !== null) throw this.failure;
      if (this.eof) return null;
      this.pump();
      await this.waiter.wait();
    }
  }

  /** True when no byte follows the blocks handed out so far (waits for the next read). */
  async atEnd(): Promise<boolean> {
    for (;;) {
      if (this.ready.length > 0) return false;
      if (this.failure !== null) throw this.failure;
      if (this.eof) return true;
      this.pump();
      await this.waiter.wait();
    }
  }

  /** Stops reading ahead; resolves once no read is running. */
  async settle(): Promise<void> {
    this.eof = true;
    await this.reading;
  }
}
