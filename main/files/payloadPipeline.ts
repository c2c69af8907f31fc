/**
 * The payload of an age file, file to file, with I/O overlapped with the cryptography and no
 * per-block garbage. The chunks are sealed and opened by crypto/age/chunks.ts (the one STREAM
 * implementation); ASCII armor is a transform on the way out (encrypt) or in (decrypt) around the
 * same blocks.
 *
 * A fixed set of buffers (each 1 MiB + 256 bytes: one block of 16 STREAM chunks, sealed) goes
 * round: read into (the next reads run ahead while a block is sealed or opened), sealed or opened
 * in place, written out (two writes at most in flight), and free again. Memory per job is
 * that set, whatever the file size. A block is handled as the last one only when the read after
 * it found the end of the file, so a file that grows while it is read is still encrypted whole.
 *
 * The output is flushed to disk in the background (an fdatasync every SYNC_EVERY bytes, one at a
 * time) so the fsync before the final rename has little left to write.
 *
 * Whatever happens, no read, write or sync is still running when the functions return or throw:
 * the caller may close the files at once.
 */
import type { FileHandle } from 'node:fs/promises';
import {
  ArmorEncoder,
  CHUNK_SIZE,
  derivePayloadKey,
  ENCRYPTED_CHUNK_SIZE,
  failedChunkError,
  openBlockInPlace,
  PAYLOAD_NONCE_SIZE,
  PLAIN_BLOCK_SIZE,
  releaseBuffer,
  SEALED_BLOCK_SIZE,
  sealBlockInPlace,
  StreamDecryptor,
  TAG_SIZE,
} from '../crypto/age/index.js';
import { headerError, payloadError } from '../crypto/age/errors.js';
import { dearmoredSource, fileSource, throwIfAborted, type PayloadSource } from './fileIo.js';

/** Buffers per job: reads ahead, the block being processed, and writes in flight. */
const BUFFERS = 8;
/**
 * Writes in flight. Writes to one file serialize in the kernel anyway; more of them would only
 * hold libuv threadpool threads (4 by default) that the read ahead and the background sync need.
 */
const MAX_WRITES = 2;
/** Background fdatasync interval. */
export const SYNC_EVERY = 64 << 20;

export interface PayloadJob {
  input: FileHandle;
  output: FileHandle;
  /**
   * Where the payload (encrypt: the plaintext; decrypt: the payload nonce) starts in `input`; for
   * an armored input, in its binary (dearmored) bytes.
   */
  inputStart: number;
  /** Where the payload starts in `output` (after the header already written there). */
  outputStart: number;
  /** Encrypt: write the file ASCII-armored. Decrypt: the input file is ASCII-armored. */
  armor?: boolean;
  signal: AbortSignal;
  /** Input bytes consumed, as they are. */
  onInput: (bytes: number) => void;
  /** Background fdatasync interval in bytes (0: none). */
  syncEvery?: number;
}

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
class BufferPool {
  private readonly free: Buffer[] = [];
  onFree: () => void = () => undefined;

  constructor(count: number, size: number) {
    for (let i = 0; i < count; i++) this.free.push(Buffer.allocUnsafeSlow(size));
  }

  tryTake(): Buffer | undefined {
    return this.free.pop();
  }

  give(buf: Buffer): void {
    this.free.push(buf);
    this.onFree();
  }
}

interface Block {
  buf: Buffer;
  length: number;
}

/**
 * Sequential reads of `blockSize` bytes into pool buffers, one read in flight, running ahead of
 * the consumer as long as there are free buffers.
 */
class BlockReader {
  private readonly ready: Block[] = [];
  private reading: Promise<void> | null = null;
  private eof = false;
  private failure: unknown = null;
  private readonly waiter = new Waiter();

  constructor(
    private readonly source: PayloadSource,
    private readonly blockSize: number,
    private readonly pool: BufferPool,
  ) {
    pool.onFree = () => this.pump();
  }

  /** Starts the next read if there is a buffer for it. */
  pump(): void {
    if (this.reading !== null || this.eof || this.failure !== null) return;
    const buf = this.pool.tryTake();
    if (buf === undefined) return;
    this.reading = this.source.fill(buf, this.blockSize).then(
      (n) => {
        if (n < this.blockSize) this.eof = true;
        if (n > 0) this.ready.push({ buf, length: n });
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

/**
 * Writes blocks in order at increasing positions, several in flight, giving each buffer back to
 * the pool once written; an fdatasync runs in the background every `syncEvery` bytes.
 */
class BlockWriter {
  private readonly inFlight = new Set<Promise<void>>();
  private syncing: Promise<void> | null = null;
  private failure: unknown = null;
  private sinceSync = 0;

  constructor(
    private readonly fh: FileHandle,
    private position: number,
    private readonly pool: BufferPool,
    private readonly syncEvery: number,
  ) {}

  /**
   * Starts writing `buf[0, length)` once fewer than MAX_WRITES are in flight; the buffer goes back
   * to `pool` (if it came from there) when written, or is freed (it must be the writer's alone).
   */
  async write(buf: Buffer, length: number, fromPool = true): Promise<void> {
    while (this.inFlight.size >= MAX_WRITES) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const at = this.position;
    this.position += length;
    const p: Promise<void> = this.writeAll(buf, length, at).then(
      () => {
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
      },
      (err: unknown) => {
        this.failure ??= err;
      },
    );
    this.inFlight.add(p);
    void p.then(() => {
      this.inFlight.delete(p);
      if (fromPool) this.pool.give(buf);
      else releaseBuffer(buf);
    });
  }

  private async writeAll(buf: Buffer, length: number, at: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const { bytesWritten } = await this.fh.write(buf, done, length - done, at + done);
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

/** A free buffer (the reader, at the end of the file, holds none). */
async function takeBuffer(pool: BufferPool, writer: BlockWriter): Promise<Buffer> {
  for (;;) {
    const buf = pool.tryTake();
    if (buf !== undefined) return buf;
    await writer.flush();
  }
}

/**
 * Encrypts the plaintext from `inputStart` to its end; writes `header` (if any), then the payload
 * (nonce first). Returns the plaintext length.
 */
export async function encryptPayload(job: PayloadJob, fileKey: Buffer, payloadNonce: Buffer, header: Buffer = Buffer.alloc(0)): Promise<number> {
  const key = derivePayloadKey(fileKey, payloadNonce);
  const pool = new BufferPool(BUFFERS, SEALED_BLOCK_SIZE);
  const reader = new BlockReader(fileSource(job.input, job.inputStart), PLAIN_BLOCK_SIZE, pool);
  const writer = new BlockWriter(job.output, job.outputStart, pool, job.syncEvery ?? SYNC_EVERY);
  const armorer = job.armor === true ? new ArmorEncoder() : null;
  /** Binary bytes out: as they are, or as armor text (the block buffer is then free at once). */
  const emit = async (buf: Buffer, length: number, fromPool: boolean): Promise<void> => {
    if (armorer === null) return writer.write(buf, length, fromPool);
    const text = armorer.push(buf.subarray(0, length));
    if (fromPool) pool.give(buf);
    await writer.write(text, text.length, false);
  };
  let counter = 0;
  let plaintext = 0;
  try {
    await emit(Buffer.concat([header, payloadNonce]), header.length + PAYLOAD_NONCE_SIZE, false);
    reader.pump();
    for (;;) {
      throwIfAborted(job.signal);
      const block = (await reader.next()) ?? { buf: await takeBuffer(pool, writer), length: 0 };
      const final = block.length < PLAIN_BLOCK_SIZE || (await reader.atEnd());
      const sealed = sealBlockInPlace(key, counter, block.buf, block.length, final);
      counter += Math.ceil(block.length / CHUNK_SIZE);
      plaintext += block.length;
      await emit(block.buf, sealed, true);
      job.onInput(block.length);
      if (final) break;
    }
    if (armorer !== null) {
      const tail = armorer.final();
      await writer.write(tail, tail.length, false);
    }
    await writer.flush();
    return plaintext;
  } finally {
    key.fill(0);
    await reader.settle();
    await writer.settle();
  }
}

/**
 * Decrypts the payload (nonce and chunks) from `inputStart` to the end of the file (dearmored
 * first when `job.armor`), writing the plaintext. Throws AgeDecryptionError exactly where StreamDecryptor would. Returns the plaintext
 * length.
 */
export async function decryptPayload(job: PayloadJob, fileKey: Buffer): Promise<number> {
  const source = job.armor === true ? dearmoredSource(job.input, job.inputStart) : fileSource(job.input, job.inputStart);
  const nonce = Buffer.alloc(PAYLOAD_NONCE_SIZE);
  if ((await source.fill(nonce, PAYLOAD_NONCE_SIZE)) < PAYLOAD_NONCE_SIZE) throw headerError('file is truncated (missing payload nonce)');
  job.onInput(PAYLOAD_NONCE_SIZE);
  const key = derivePayloadKey(fileKey, nonce);
  const judgeKey = Buffer.from(key);
  const pool = new BufferPool(BUFFERS, SEALED_BLOCK_SIZE);
  const reader = new BlockReader(source, SEALED_BLOCK_SIZE, pool);
  const writer = new BlockWriter(job.output, job.outputStart, pool, job.syncEvery ?? SYNC_EVERY);
  let counter = 0;
  let plaintext = 0;
  try {
    reader.pump();
    for (;;) {
      throwIfAborted(job.signal);
      const block = await reader.next();
      if (block === null) {
        // Nothing after the nonce: the single-threaded decryptor names the error.
        StreamDecryptor.resume(judgeKey, counter).final();
        throw payloadError('payload has no chunks');
      }
      const final = block.length < SEALED_BLOCK_SIZE || (await reader.atEnd());
      let opened: number;
      if (!final) {
        const failedAt = openBlockInPlace(key, counter, block.buf, block.length);
        if (failedAt >= 0) {
          const at = failedAt * ENCRYPTED_CHUNK_SIZE;
          throw failedChunkError(key, counter + failedAt, block.buf.subarray(at, at + ENCRYPTED_CHUNK_SIZE));
        }
        opened = block.length - (block.length / ENCRYPTED_CHUNK_SIZE) * TAG_SIZE;
        counter += block.length / ENCRYPTED_CHUNK_SIZE;
      } else {
        // The last block goes through StreamDecryptor: final-chunk rules, truncation and
        // trailing data are judged exactly as in the single-threaded path.
        const dec = StreamDecryptor.resume(judgeKey, counter);
        const body = dec.push(block.buf.subarray(0, block.length));
        const last = dec.final();
        body.copy(block.buf, 0);
        last.copy(block.buf, body.length);
        opened = body.length + last.length;
        body.fill(0);
        last.fill(0);
      }
      plaintext += opened;
      await writer.write(block.buf, opened);
      job.onInput(block.length);
      if (final) break;
    }
    await writer.flush();
    return plaintext;
  } finally {
    key.fill(0);
    judgeKey.fill(0);
    await reader.settle();
    await writer.settle();
  }
}
