/**
 * Blocks of a payload job between being read and being written, in file order, each sealed or
 * opened either on the payload worker or on this thread. The worker is kept fed (up to
 * WORKER_DEPTH blocks queued there) and this thread takes a block whenever the worker has enough,
 * so the two share the work by their speed. Blocks leave in file order: a block done here waits
 * behind an earlier one still on the worker.
 */
import type { ChunkWorker, WorkedBlock } from '../crypto/age/index.js';
import type { Block } from './blockReader.js';

/** Blocks queued on the worker: one it works on, one waiting, so it never idles between replies. */
const WORKER_DEPTH = 2;
/** Blocks held at most (each is a pool buffer). */
const MAX_HELD = 4;

export interface QueuedBlock {
  block: Block;
  /** The STREAM counter of the block's first chunk. */
  counter: number;
  final: boolean;
}

interface Entry extends QueuedBlock {
  outcome: Promise<WorkedBlock>;
  done: boolean;
  onWorker: boolean;
}

export class BlockQueue {
  private readonly entries: Entry[] = [];
  private atWorker = 0;

  constructor(private readonly worker: ChunkWorker | null) {}

  /** True when the next block should go to the worker. */
  get workerHasRoom(): boolean {
    return this.worker !== null && this.worker.available && this.atWorker < WORKER_DEPTH;
  }

  /** Queues a block the worker works on (`send` hands it over). */
  toWorker(item: QueuedBlock, send: (worker: ChunkWorker) => Promise<WorkedBlock>): void {
    if (this.worker === null) throw new Error('no payload worker');
    this.atWorker++;
    this.push(item, send(this.worker), true);
  }

  /**
   * Works on a block here at once; false when that failed (the failure is thrown when the block's
   * turn comes, after every earlier block has been judged).
   */
  here(item: QueuedBlock, work: () => number): boolean {
    try {
      this.push(item, Promise.resolve({ buf: item.block.buf, result: work() }), false);
      return true;
    } catch (err) {
      this.push(item, Promise.reject(err instanceof Error ? err : new Error(String(err))), false);
      return false;
    }
  }

  /**
   * The blocks whose turn has come, in order, with their results: those already done at the head,
   * or (`all`, or more than MAX_HELD queued) every one, waiting for them. A failed block throws.
   */
  async *take(all: boolean): AsyncGenerator<QueuedBlock & WorkedBlock> {
    for (;;) {
      const head = this.entries[0];
      if (head === undefined || !(all || head.done || this.entries.length >= MAX_HELD)) return;
      const worked = await head.outcome;
      this.entries.shift();
      yield { block: head.block, counter: head.counter, final: head.final, buf: worked.buf, result: worked.result };
    }
  }

  /** Waits until the worker holds none of the queued blocks (after a failure), never throwing. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.entries.map((e) => e.outcome));
  }

  private push(item: QueuedBlock, outcome: Promise<WorkedBlock>, onWorker: boolean): void {
    const entry: Entry = { ...item, outcome, done: !onWorker, onWorker };
    // A worker's block is done when its reply comes; a rejection is handled when its turn comes.
    outcome.then(
      () => this.finish(entry),
      () => this.finish(entry),
    );
    this.entries.push(entry);
  }

  private finish(entry: Entry): void {
    entry.done = true;
    if (entry.onWorker) this.atWorker--;
  }
}
