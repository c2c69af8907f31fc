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
 * Where the system allows it, the output is written with O_DIRECT from the block buffers (aligned
 * for it; see directIo.ts and payloadWriter.ts): no copy into the page cache, which was most of the
 * CPU time of a job. The output is also flushed in the background (an fdatasync every SYNC_EVERY
 * bytes, one at a time) so the fsync before the final rename has little left to write.
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
  SEALED_BLOCK_SIZE,
  sealBlockInPlace,
  StreamDecryptor,
  TAG_SIZE,
} from '../crypto/age/index.js';
import { headerError, payloadError } from '../crypto/age/errors.js';
import { allocAligned, DIRECT_ALIGN, openDirectTwin } from './directIo.js';
import { dearmoredSource, fileSource, throwIfAborted, type PayloadSource } from './fileIo.js';
import { PayloadWriter } from './payloadWriter.js';

/** Buffers per job: reads ahead, the block being processed, and writes in flight. */
const BUFFERS = 8;
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
  /** Write aligned runs with O_DIRECT where the system allows it (default true). */
  directIo?: boolean;
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

interface Block {
  buf: Buffer;
  /** Where the block's bytes start in `buf`. */
  at: number;
  length: number;
}

/**
 * Sequential reads of `blockSize` bytes into pool buffers (block i at `offsetOf(i)` in its
 * buffer), one read in flight, running ahead of the consumer as long as there are free buffers.
 */
class BlockReader {
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

/** A free buffer (the reader, at the end of the file, holds none). */
async function takeBuffer(pool: BufferPool, writer: PayloadWriter): Promise<Buffer> {
  for (;;) {
    const buf = pool.tryTake();
    if (buf !== undefined) return buf;
    await writer.flush();
  }
}

/** An O_DIRECT twin of the job's output, when the job may use one and the system has it. */
async function directTwin(job: PayloadJob, allowed: boolean): Promise<FileHandle | null> {
  if (!allowed || job.directIo === false || job.outputStart % DIRECT_ALIGN !== 0) return null;
  return openDirectTwin(job.output);
}

/** A block whose bytes do not start where the writer expects them is a bug here, never input. */
function checkPlacement(block: Block, writer: PayloadWriter): void {
  if (block.at !== writer.headroom) throw new Error(`payload block placed at ${block.at}, expected ${writer.headroom}`);
}

/**
 * Encrypts the plaintext from `inputStart` to its end; writes `header` (if any), then the payload
 * (nonce first). Returns the plaintext length.
 */
export async function encryptPayload(job: PayloadJob, fileKey: Buffer, payloadNonce: Buffer, header: Buffer = Buffer.alloc(0)): Promise<number> {
  const armorer = job.armor === true ? new ArmorEncoder() : null;
  // Armor text has no fixed length per block, so it is never written directly.
  const key = derivePayloadKey(fileKey, payloadNonce);
  const direct = await directTwin(job, armorer === null);
  const pool = new BufferPool(BUFFERS, SEALED_BLOCK_SIZE + DIRECT_ALIGN, direct === null ? 1 : DIRECT_ALIGN);
  const writer = new PayloadWriter(job.output, direct, DIRECT_ALIGN, job.outputStart, pool, job.syncEvery ?? SYNC_EVERY);
  let reader: BlockReader | null = null;
  /** Binary bytes out: as they are, or as armor text (the block buffer is then free at once). */
  const emit = async (block: Block, final: boolean): Promise<void> => {
    if (armorer === null) {
      checkPlacement(block, writer);
      return writer.write(block.buf, block.length, final);
    }
    const text = armorer.push(block.buf.subarray(block.at, block.at + block.length));
    pool.give(block.buf);
    await writer.write(text, text.length, false, false);
  };
  let counter = 0;
  let plaintext = 0;
  try {
    const lead = Buffer.concat([header, payloadNonce]);
    if (armorer === null) await writer.lead(lead);
    else {
      const text = armorer.push(lead);
      await writer.write(text, text.length, false, false);
    }
    // Block i is read where the bytes held back before it end: (lead + i sealed blocks) mod align.
    const first = writer.headroom;
    const blocks = new BlockReader(fileSource(job.input, job.inputStart), PLAIN_BLOCK_SIZE, pool, (i) => (first + i * SEALED_BLOCK_SIZE) % writer.align);
    reader = blocks;
    blocks.pump();
    for (;;) {
      throwIfAborted(job.signal);
      const block = (await blocks.next()) ?? { buf: await takeBuffer(pool, writer), at: writer.headroom, length: 0 };
      const final = block.length < PLAIN_BLOCK_SIZE || (await blocks.atEnd());
      const sealed = sealBlockInPlace(key, counter, block.buf.subarray(block.at), block.length, final);
      counter += Math.ceil(block.length / CHUNK_SIZE);
      plaintext += block.length;
      await emit({ buf: block.buf, at: block.at, length: sealed }, final);
      job.onInput(block.length);
      if (final) break;
    }
    if (armorer !== null) {
      const tail = armorer.final();
      await writer.write(tail, tail.length, true, false);
    }
    await writer.flush();
    return plaintext;
  } finally {
    key.fill(0);
    await reader?.settle();
    await writer.settle();
    await direct?.close();
  }
}

/**
 * Decrypts the payload (nonce and chunks) from `inputStart` to the end of the file (dearmored
 * first when `job.armor`), writing the plaintext. Throws AgeDecryptionError exactly where
 * StreamDecryptor would. Returns the plaintext length.
 */
export async function decryptPayload(job: PayloadJob, fileKey: Buffer): Promise<number> {
  const source = job.armor === true ? dearmoredSource(job.input, job.inputStart) : fileSource(job.input, job.inputStart);
  const nonce = Buffer.alloc(PAYLOAD_NONCE_SIZE);
  if ((await source.fill(nonce, PAYLOAD_NONCE_SIZE)) < PAYLOAD_NONCE_SIZE) throw headerError('file is truncated (missing payload nonce)');
  job.onInput(PAYLOAD_NONCE_SIZE);
  const key = derivePayloadKey(fileKey, nonce);
  const judgeKey = Buffer.from(key);
  // Whole non-final blocks open to 1 MiB each, so every block but the last starts aligned.
  const direct = await directTwin(job, true);
  const pool = new BufferPool(BUFFERS, SEALED_BLOCK_SIZE, direct === null ? 1 : DIRECT_ALIGN);
  const reader = new BlockReader(source, SEALED_BLOCK_SIZE, pool);
  const writer = new PayloadWriter(job.output, direct, DIRECT_ALIGN, job.outputStart, pool, job.syncEvery ?? SYNC_EVERY);
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
      checkPlacement(block, writer);
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
      await writer.write(block.buf, opened, final);
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
    await direct?.close();
  }
}
