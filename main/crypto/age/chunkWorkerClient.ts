/**
 * One worker thread per process that seals and opens blocks of STREAM chunks beside the main
 * thread (chunkWorker.ts does the work with the functions of chunks.ts). A block's buffer is
 * transferred there and back, never copied; the caller gets a new view of the same memory.
 *
 * The worker is started on demand and unref'd while idle, so it never keeps a process alive. It is
 * used only once it has said it is ready; when its file cannot be found or loaded, or it dies, it
 * is never used again and callers do the work on their own thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** What to do with a block: the arguments of sealBlockInPlace() or openBlockInPlace(). */
type ChunkTask = { key: Uint8Array; counter: number; length: number } & ({ op: 'seal'; final: boolean } | { op: 'open' });

export type ChunkRequest = ChunkTask & {
  id: number;
  buffer: ArrayBuffer;
  /** The block's view in `buffer`: where it starts and how many bytes it may use. */
  at: number;
  capacity: number;
};

export type ChunkReply = { id: number; buffer: ArrayBuffer } & ({ result: number } | { error: string });

/** The worker's file next to this module: the CLI bundle's .mjs, the app's .js, or the .ts source (tsx). */
const WORKER_FILES = ['chunkWorker.mjs', 'chunkWorker.js', 'chunkWorker.ts'];

export function findChunkWorkerFile(base: string | URL = import.meta.url, names: readonly string[] = WORKER_FILES): URL | null {
  for (const name of names) {
    const url = new URL(name, base);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
  }
  return null;
}

/**
 * The .ts source as a worker (tests and benchmarks under tsx). A worker inherits `--import tsx`,
 * but tsx's hooks do not reach the worker's entry point, so a bootstrap registers them first.
 */
function sourceWorker(file: URL): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); })`;
  return new Worker(boot, { eval: true });
}

interface Pending {
  resolve: (reply: ChunkReply) => void;
  reject: (err: Error) => void;
}

/** A block after the worker: the same memory under a new view, and the chunk function's result. */
export interface WorkedBlock {
  buf: Buffer;
  result: number;
}

export class ChunkWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private state: 'starting' | 'ready' | 'failed' = 'starting';
  /** Resolves true once the worker takes blocks, false if it never will. */
  readonly ready: Promise<boolean>;
  /** Blocks the worker has handled (for tests and measurements). */
  blocksDone = 0;

  constructor(file: URL) {
    this.worker = file.pathname.endsWith('.ts') ? sourceWorker(file) : new Worker(file);
    this.worker.unref();
    this.ready = new Promise((resolve) => {
      this.worker.once('message', () => {
        if (this.state === 'starting') this.state = 'ready';
        this.worker.on('message', (reply: ChunkReply) => this.settle(reply));
        resolve(this.state === 'ready');
      });
      const fail = (err: Error): void => {
        this.state = 'failed';
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        resolve(false);
      };
      this.worker.on('error', fail);
      this.worker.on('exit', (code) => fail(new Error(`the payload worker exited (${code})`)));
    });
  }

  /** True when a block may be handed over now. */
  get available(): boolean {
    return this.state === 'ready';
  }

  /** sealBlockInPlace() on the worker: the block at `at` in `buf`, which is transferred. */
  seal(key: Buffer, counter: number, buf: Buffer, at: number, length: number, final: boolean): Promise<WorkedBlock> {
    return this.send(buf, at, { op: 'seal', key: Uint8Array.from(key), counter, length, final });
  }

  /** openBlockInPlace() on the worker: returns the first chunk that failed, or -1. */
  open(key: Buffer, counter: number, buf: Buffer, length: number): Promise<WorkedBlock> {
    return this.send(buf, 0, { op: 'open', key: Uint8Array.from(key), counter, length });
  }

  /** Stops the worker (tests); a stopped worker is never used again. */
  async stop(): Promise<void> {
    this.state = 'failed';
    await this.worker.terminate();
  }

  private send(buf: Buffer, at: number, task: ChunkTask): Promise<WorkedBlock> {
    if (this.state !== 'ready') return Promise.reject(new Error('the payload worker is not available'));
    const buffer = buf.buffer;
    if (!(buffer instanceof ArrayBuffer)) return Promise.reject(new Error('the payload worker takes ArrayBuffer blocks only'));
    const { byteOffset, byteLength } = buf;
    const id = this.nextId++;
    const message: ChunkRequest = { ...task, id, buffer, at: byteOffset + at, capacity: byteLength - at };
    return new Promise<ChunkReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      try {
        this.worker.postMessage(message, [buffer]);
      } catch (err) {
        this.forget(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      } finally {
        message.key.fill(0);
      }
    }).then((reply) => {
      const view = Buffer.from(reply.buffer, byteOffset, byteLength);
      if ('error' in reply) throw new Error(`payload worker: ${reply.error}`);
      this.blocksDone++;
      return { buf: view, result: reply.result };
    });
  }

  private settle(reply: ChunkReply): void {
    const p = this.pending.get(reply.id);
    this.forget(reply.id);
    p?.resolve(reply);
  }

  private forget(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }
}

let shared: ChunkWorker | null | undefined;

/** The process's worker if one was started (measurements), without starting one. */
export function startedChunkWorker(): ChunkWorker | null {
  return shared ?? null;
}

/**
 * The process's worker, started on first use; null when there is no worker file or it is switched
 * off (KEYVAULT_PAYLOAD_WORKER=off, for measurements).
 */
export function sharedChunkWorker(): ChunkWorker | null {
  if (shared !== undefined) return shared;
  const file = process.env.KEYVAULT_PAYLOAD_WORKER === 'off' ? null : findChunkWorkerFile();
  try {
    shared = file === null ? null : new ChunkWorker(file);
  } catch {
    shared = null;
  }
  return shared;
}
