/**
 * Multi-threaded STREAM for large payloads. Chunks are independent given their counter, so runs
 * of 16 non-final chunks (1 MiB) are sealed or opened on worker threads while the caller's
 * thread does I/O; results are emitted strictly in order. The last block of the stream is always
 * held back and finished on the calling thread with the ordinary StreamEncryptor/StreamDecryptor,
 * so final-chunk rules, truncation and trailing-data checks are exactly the single-threaded ones.
 *
 * The worker is inline source (node:crypto only), so it needs no separate file in the bundle.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { headerError, payloadError } from './errors.js';
import {
  CHUNK_SIZE,
  derivePayloadKey,
  ENCRYPTED_CHUNK_SIZE,
  PAYLOAD_NONCE_SIZE,
  StreamDecryptor,
  StreamEncryptor,
  TAG_SIZE,
} from './stream.js';

const CHUNKS_PER_JOB = 16;

interface WorkerJob {
  id: number;
  encrypt: boolean;
  key: Uint8Array;
  counter: number;
  chunks: number;
  data: ArrayBuffer;
}

interface WorkerReply {
  id: number;
  /** The job's buffer, now holding the output in its first `outLength` bytes. */
  data: ArrayBuffer;
  outLength: number;
  /** Index (within the job) of the first chunk that failed to open as non-final, or -1. */
  failedAt: number;
}

// Plain JavaScript, evaluated as the worker's CommonJS entry point.
const WORKER_SOURCE = `
'use strict';
const { parentPort, MessageChannel } = require('node:worker_threads');
const { createCipheriv, createDecipheriv } = require('node:crypto');
const CHUNK = ${CHUNK_SIZE};
const TAG = ${TAG_SIZE};
const SEALED = CHUNK + TAG;
const nonce = Buffer.alloc(12);
// node:crypto results are freed as soon as they are copied, by detaching them (a transfer to a
// closed port): left to the GC they pile up to ~32 MB per worker (see blocks.ts).
const { port1: sink, port2 } = new MessageChannel();
port2.close();
sink.close();
function release(b) {
  if (b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength) return;
  try {
    sink.postMessage(null, [b.buffer]);
  } catch {
    // not transferable: the GC frees it
  }
}
function setCounter(counter) {
  nonce.writeUInt32BE(Math.floor(counter / 0x100000000), 3);
  nonce.writeUInt32BE(counter >>> 0, 7);
  nonce[11] = 0;
}
// Results are written back into the job's own buffer (which has room for the tags when
// encrypting), so each 1 MiB block costs one allocation in total.
parentPort.on('message', (job) => {
  const key = Buffer.from(job.key);
  const buf = Buffer.from(job.data);
  let failedAt = -1;
  let outLength;
  if (job.encrypt) {
    const n = job.chunks;
    // Backwards, so a chunk's sealed output never lands on plaintext not yet read.
    for (let i = n - 1; i >= 0; i--) {
      setCounter(job.counter + i);
      const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
      const sealed = c.update(buf.subarray(i * CHUNK, (i + 1) * CHUNK));
      c.final();
      sealed.copy(buf, i * SEALED);
      release(sealed);
      c.getAuthTag().copy(buf, i * SEALED + CHUNK);
    }
    outLength = n * SEALED;
  } else {
    const n = job.chunks;
    outLength = n * CHUNK;
    for (let i = 0; i < n; i++) {
      setCounter(job.counter + i);
      const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
      d.setAuthTag(buf.subarray(i * SEALED + CHUNK, (i + 1) * SEALED));
      const plain = d.update(buf.subarray(i * SEALED, i * SEALED + CHUNK));
      try {
        d.final();
      } catch {
        plain.fill(0);
        release(plain);
        failedAt = i;
        outLength = i * CHUNK;
        break;
      }
      // Forwards: plaintext i lands where sealed chunk i (already read) began.
      plain.copy(buf, i * CHUNK);
      release(plain);
    }
  }
  parentPort.postMessage({ id: job.id, data: job.data, failedAt, outLength }, [job.data]);
});
`;

/**
 * Lets a consumer hand output buffers back once it has written them, so the 1 MiB blocks are
 * reused instead of freshly allocated (and page-faulted) for every block of a long file.
 */
export class BufferRecycler {
  private readonly free: ArrayBuffer[] = [];
  constructor(private readonly limit = 16) {}

  /** Returns a buffer the caller no longer uses (any view; only whole blocks are kept). */
  give(view: Buffer): void {
    if (this.free.length < this.limit && view.buffer instanceof ArrayBuffer && view.buffer.byteLength >= 1 << 20) {
      this.free.push(view.buffer);
    }
  }

  /** A recycled buffer of exactly `size` bytes, if one is available. */
  take(size: number): Buffer | undefined {
    const i = this.free.findIndex((b) => b.byteLength === size);
    if (i < 0) return undefined;
    const [buf] = this.free.splice(i, 1);
    return Buffer.from(buf as ArrayBuffer);
  }
}

/** The default worker count: one per core, at most 4; 0 on a single core. */
export function defaultThreads(): number {
  const cores = availableParallelism();
  return cores <= 1 ? 0 : Math.min(4, cores);
}

class ChunkWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: unknown) => void }>();
  private nextWorker = 0;
  private nextId = 0;
  private failure: unknown = null;
  private closing = false;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on('message', (reply: WorkerReply) => {
        const entry = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        if (this.waiting.size === 0) this.setRef(false);
        entry?.resolve(reply);
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`STREAM worker exited unexpectedly (code ${code})`));
      });
      w.unref();
      this.workers.push(w);
    }
  }

  /** Workers keep the process alive only while a job is outstanding. */
  private setRef(on: boolean): void {
    for (const w of this.workers) {
      if (on) w.ref();
      else w.unref();
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    for (const entry of this.waiting.values()) entry.reject(err);
    this.waiting.clear();
    this.setRef(false);
  }

  run(job: Omit<WorkerJob, 'id'>): Promise<WorkerReply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    const worker = this.workers[this.nextWorker++ % this.workers.length] as Worker;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.setRef(true);
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ ...job, id }, [job.data]);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.waiting.clear();
    this.setRef(true); // keep the loop alive until the workers have exited
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

interface JobResult {
  out: Buffer;
  error: Error | null;
}

/**
 * Cuts `source` into blocks of `blockSize`, hands every block that is known not to be the last
 * one to `dispatch` (at most `depth` in flight), yields results in order, and passes the held-back
 * remainder to `finish`.
 */
async function* pipelineBlocks(
  source: AsyncIterable<Buffer>,
  blockSize: number,
  allocSize: number,
  depth: number,
  dispatch: (block: Buffer) => Promise<JobResult>,
  finish: (rest: Buffer) => Generator<Buffer>,
  recycler: BufferRecycler | undefined,
): AsyncGenerator<Buffer, void, undefined> {
  const alloc = (): Buffer => recycler?.take(allocSize) ?? Buffer.allocUnsafeSlow(allocSize);
  const inflight: Array<Promise<JobResult>> = [];
  let fill = alloc();
  let used = 0;
  let held: Buffer | null = null;
  const submit = (block: Buffer): void => {
    const p = dispatch(block);
    p.catch(() => undefined); // surfaced when awaited in order
    inflight.push(p);
  };
  const drain = async function* (limit: number): AsyncGenerator<Buffer, void, undefined> {
    while (inflight.length > limit) {
      const { out, error } = await (inflight.shift() as Promise<JobResult>);
      if (out.length > 0) yield out;
      if (error !== null) throw error;
    }
  };
  for await (const chunk of source) {
    let off = 0;
    while (off < chunk.length) {
      if (held !== null) {
        submit(held);
        held = null;
        yield* drain(depth);
      }
      const n = Math.min(blockSize - used, chunk.length - off);
      chunk.copy(fill, used, off, off + n);
      used += n;
      off += n;
      if (used === blockSize) {
        held = fill;
        fill = alloc();
        used = 0;
      }
    }
  }
  yield* drain(0);
  const rest =
    held === null ? fill.subarray(0, used) : Buffer.concat([held.subarray(0, blockSize), fill.subarray(0, used)]);
  yield* finish(rest);
}

function* finishWith(stream: StreamEncryptor | StreamDecryptor, rest: Buffer): Generator<Buffer> {
  const body = stream.push(rest);
  if (body.length > 0) yield body;
  const last = stream.final();
  if (last.length > 0) yield last;
}

const asArrayBuffer = (b: Buffer): ArrayBuffer => {
  // Blocks come from allocUnsafeSlow, so they own their whole ArrayBuffer.
  if (b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength) return new Uint8Array(b).buffer;
  return b.buffer as ArrayBuffer;
};

/** Encrypts a payload (nonce + chunks) with `threads` workers. */
export async function* encryptPayloadParallel(
  source: AsyncIterable<Buffer>,
  fileKey: Buffer,
  payloadNonce: Buffer,
  threads: number,
  recycler?: BufferRecycler,
): AsyncGenerator<Buffer, void, undefined> {
  const key = derivePayloadKey(fileKey, payloadNonce);
  let pool: ChunkWorkerPool | null = null;
  let counter = 0;
  try {
    yield Buffer.from(payloadNonce);
    yield* pipelineBlocks(
      source,
      CHUNKS_PER_JOB * CHUNK_SIZE,
      CHUNKS_PER_JOB * ENCRYPTED_CHUNK_SIZE,
      threads * 2,
      async (block) => {
        pool ??= new ChunkWorkerPool(threads);
        const start = counter;
        counter += CHUNKS_PER_JOB;
        const reply = await pool.run({ encrypt: true, key, counter: start, chunks: CHUNKS_PER_JOB, data: asArrayBuffer(block) });
        return { out: Buffer.from(reply.data, 0, reply.outLength), error: null };
      },
      (rest) => finishWith(StreamEncryptor.resume(key, counter), rest),
      recycler,
    );
  } finally {
    key.fill(0);
    await (pool as ChunkWorkerPool | null)?.close();
  }
}

/** Decrypts a payload (nonce + chunks) with `threads` workers; same results as StreamDecryptor. */
export async function* decryptPayloadParallel(
  source: AsyncIterable<Buffer>,
  fileKey: Buffer,
  threads: number,
  recycler?: BufferRecycler,
): AsyncGenerator<Buffer, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  // Read the payload nonce first.
  let head: Buffer = Buffer.alloc(0);
  while (head.length < PAYLOAD_NONCE_SIZE) {
    const next = await iterator.next();
    if (next.done) throw headerError('file is truncated (missing payload nonce)');
    head = Buffer.concat([head, next.value]); // a copy: the source may reuse its buffer
  }
  const key = derivePayloadKey(fileKey, head.subarray(0, PAYLOAD_NONCE_SIZE));
  const afterNonce = head.subarray(PAYLOAD_NONCE_SIZE);
  const rest = (async function* () {
    if (afterNonce.length > 0) yield afterNonce;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();

  let pool: ChunkWorkerPool | null = null;
  let counter = 0;
  try {
    yield* pipelineBlocks(
      rest,
      CHUNKS_PER_JOB * ENCRYPTED_CHUNK_SIZE,
      CHUNKS_PER_JOB * ENCRYPTED_CHUNK_SIZE,
      threads * 2,
      async (block) => {
        pool ??= new ChunkWorkerPool(threads);
        const start = counter;
        counter += CHUNKS_PER_JOB;
        const reply = await pool.run({ encrypt: false, key, counter: start, chunks: CHUNKS_PER_JOB, data: asArrayBuffer(block) });
        const out = Buffer.from(reply.data, 0, reply.outLength);
        if (reply.failedAt < 0) return { out, error: null };
        // Let the single-threaded decryptor judge the failing chunk (it may be a final chunk
        // followed by trailing data); it releases exactly what it authenticates. The worker
        // stopped at that chunk, so its sealed bytes are still intact in the buffer.
        const good = Buffer.from(out.subarray(0, reply.failedAt * CHUNK_SIZE));
        const judge = StreamDecryptor.resume(key, start + reply.failedAt);
        const sealed = Buffer.from(reply.data).subarray(reply.failedAt * ENCRYPTED_CHUNK_SIZE, (reply.failedAt + 1) * ENCRYPTED_CHUNK_SIZE);
        let extra: Buffer = Buffer.alloc(0);
        let error: Error = payloadError('payload has trailing data after the final chunk');
        try {
          extra = judge.push(Buffer.concat([sealed, Buffer.alloc(1)]));
          judge.push(Buffer.alloc(0));
        } catch (err) {
          error = err instanceof Error ? err : new Error(String(err));
        }
        return { out: extra.length > 0 ? Buffer.concat([good, extra]) : good, error };
      },
      (tail) => finishWith(StreamDecryptor.resume(key, counter), tail),
      recycler,
    );
  } finally {
    key.fill(0);
    await (pool as ChunkWorkerPool | null)?.close();
  }
}
