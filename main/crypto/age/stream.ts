/**
 * The age payload incrementally: a 16-byte nonce, then STREAM chunks (chunks.ts seals and opens
 * them; this module only gathers bytes into whole chunks around those functions).
 *
 * Both directions work with bounded memory: at most one chunk is held back (the encryptor cannot
 * know a chunk is the last until it sees the end; the decryptor likewise cannot know a full-size
 * chunk is the last until more bytes arrive). Each push() returns one buffer: the input's whole
 * chunks are copied into it once and sealed or opened there in place.
 */
import { randomBytes } from 'node:crypto';
import { CHUNK_SIZE, derivePayloadKey, ENCRYPTED_CHUNK_SIZE, openBlockInPlace, openChunkAt, PAYLOAD_NONCE_SIZE, sealBlockInPlace, TAG_SIZE } from './chunks.js';
import { headerError, payloadError } from './errors.js';
import { FILE_KEY_SIZE } from './primitives.js';

const EMPTY = Buffer.alloc(0);

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Encrypts a payload incrementally. Output: the payload nonce, then the encrypted chunks. */
export class StreamEncryptor {
  private readonly key: Buffer;
  private readonly pending = Buffer.allocUnsafe(ENCRYPTED_CHUNK_SIZE);
  private pendingLength = 0;
  private counter = 0;
  private header: Buffer | null;
  private finished = false;

  /** `payloadNonce` is random unless given (only tests should pass one). */
  constructor(fileKey: Uint8Array, payloadNonce: Uint8Array = randomBytes(PAYLOAD_NONCE_SIZE)) {
    if (payloadNonce.length !== PAYLOAD_NONCE_SIZE) throw new RangeError('payload nonce must be 16 bytes');
    this.key = derivePayloadKey(fileKey, payloadNonce);
    this.header = Buffer.from(payloadNonce);
  }

  /** A buffer for `sealed` bytes of output, led by the payload nonce if it is not out yet. */
  private output(sealed: number): { out: Buffer; at: number } {
    if (this.finished) throw new Error('StreamEncryptor already finished');
    const lead = this.header === null ? 0 : PAYLOAD_NONCE_SIZE;
    const out = Buffer.allocUnsafe(lead + sealed);
    if (this.header !== null) {
      this.header.copy(out, 0);
      this.header = null;
    }
    return { out, at: lead };
  }

  /** Feeds plaintext; returns the ciphertext that is ready (possibly empty). */
  push(data: Uint8Array): Buffer {
    if (this.finished) throw new Error('StreamEncryptor already finished');
    const input = asBuffer(data);
    const total = this.pendingLength + input.length;
    // Whole chunks, always keeping at least one byte back so that no chunk is sealed as non-final
    // that turns out to be the last.
    const chunks = total === 0 ? 0 : Math.floor((total - 1) / CHUNK_SIZE);
    if (chunks === 0) {
      input.copy(this.pending, this.pendingLength);
      this.pendingLength = total;
      return this.header === null ? EMPTY : this.output(0).out;
    }
    const { out, at } = this.output(chunks * ENCRYPTED_CHUNK_SIZE);
    const body = out.subarray(at);
    this.pending.copy(body, 0, 0, this.pendingLength);
    const taken = chunks * CHUNK_SIZE - this.pendingLength;
    input.copy(body, this.pendingLength, 0, taken);
    sealBlockInPlace(this.key, this.counter, body, chunks * CHUNK_SIZE, false);
    this.counter += chunks;
    input.copy(this.pending, 0, taken);
    this.pendingLength = input.length - taken;
    return out;
  }

  /** Seals the final chunk (empty only if the whole plaintext was empty); returns the rest of the payload. */
  final(): Buffer {
    const { out, at } = this.output(this.pendingLength + TAG_SIZE);
    this.pending.copy(out, at, 0, this.pendingLength);
    sealBlockInPlace(this.key, this.counter, out.subarray(at), this.pendingLength, true);
    this.counter++;
    this.pending.fill(0);
    this.key.fill(0);
    this.pendingLength = 0;
    this.finished = true;
    return out;
  }
}

/**
 * Decrypts a payload (nonce + chunks) incrementally. Plaintext is released only from chunks whose
 * tag has verified. A full-size chunk is opened as soon as it is complete: first as a non-final
 * chunk, and if that fails, as the final chunk (a final chunk may be full); any byte after the
 * final chunk is an error. final() throws unless the payload ended with a valid final chunk.
 */
export class StreamDecryptor {
  private readonly fileKey: Buffer;
  private key: Buffer | null = null;
  private readonly pending = Buffer.allocUnsafe(ENCRYPTED_CHUNK_SIZE);
  private pendingLength = 0;
  private counter = 0;
  private sawLast = false;
  private finished = false;
  /** An error found after some plaintext was already authenticated in the same push. */
  private deferred: unknown = null;

  constructor(fileKey: Uint8Array) {
    if (fileKey.length !== FILE_KEY_SIZE) throw new RangeError('age file keys are 16 bytes');
    this.fileKey = Buffer.from(fileKey);
  }

  /** Continues after the nonce and `counter` chunks were verified elsewhere (the file pipeline). */
  static resume(payloadKey: Buffer, counter: number): StreamDecryptor {
    const dec = new StreamDecryptor(Buffer.alloc(FILE_KEY_SIZE));
    dec.key = Buffer.from(payloadKey);
    dec.counter = counter;
    return dec;
  }

  /** Number of chunks authenticated so far. */
  get chunksVerified(): number {
    return this.counter;
  }

  private failed(): Error {
    return payloadError(`payload chunk ${this.counter} failed authentication (the file is corrupted, truncated or was modified)`);
  }

  private trailing(): never {
    throw payloadError('payload has trailing data after the final chunk');
  }

  /**
   * Opens the `chunks` whole sealed chunks at the start of `work` in place, reporting through
   * `done` how much plaintext (at the start of `work`) authenticated; throws on a bad chunk, or
   * on bytes after the final one (`more`: bytes follow `work`).
   */
  private openWhole(work: Buffer, chunks: number, more: boolean, done: (opened: number) => void): void {
    const key = this.key as Buffer;
    const failedAt = openBlockInPlace(key, this.counter, work, chunks * ENCRYPTED_CHUNK_SIZE);
    const good = failedAt < 0 ? chunks : failedAt;
    this.counter += good;
    done(good * CHUNK_SIZE);
    if (failedAt < 0) return;
    // A full chunk that is not a valid non-final chunk may still be the (full) final one.
    const from = failedAt * ENCRYPTED_CHUNK_SIZE;
    if (!openChunkAt(key, this.counter, true, work, from, ENCRYPTED_CHUNK_SIZE, failedAt * CHUNK_SIZE)) throw this.failed();
    this.counter++;
    this.sawLast = true;
    done((good + 1) * CHUNK_SIZE);
    if (failedAt < chunks - 1 || more) this.trailing();
  }

  /**
   * Feeds payload bytes; returns the plaintext of every chunk authenticated by them. When an
   * error follows authenticated chunks in the same call, those chunks are returned and the error
   * is thrown by the next push() or final().
   */
  push(data: Uint8Array): Buffer {
    this.throwDeferred();
    if (this.finished) throw new Error('StreamDecryptor already finished');
    let input = asBuffer(data);
    if (this.key === null) {
      const take = Math.min(PAYLOAD_NONCE_SIZE - this.pendingLength, input.length);
      input.copy(this.pending, this.pendingLength, 0, take);
      this.pendingLength += take;
      input = input.subarray(take);
      if (this.pendingLength < PAYLOAD_NONCE_SIZE) return EMPTY;
      this.key = derivePayloadKey(this.fileKey, this.pending.subarray(0, PAYLOAD_NONCE_SIZE));
      this.fileKey.fill(0);
      this.pendingLength = 0;
    }
    if (input.length === 0) return EMPTY;
    if (this.sawLast) this.trailing();
    const total = this.pendingLength + input.length;
    const chunks = Math.floor(total / ENCRYPTED_CHUNK_SIZE);
    if (chunks === 0) {
      input.copy(this.pending, this.pendingLength);
      this.pendingLength = total;
      return EMPTY;
    }
    const work = Buffer.allocUnsafe(chunks * ENCRYPTED_CHUNK_SIZE);
    this.pending.copy(work, 0, 0, this.pendingLength);
    const taken = work.length - this.pendingLength;
    input.copy(work, this.pendingLength, 0, taken);
    const rest = input.subarray(taken);
    rest.copy(this.pending, 0);
    this.pendingLength = rest.length;
    let opened = 0;
    try {
      this.openWhole(work, chunks, rest.length > 0, (n) => (opened = n));
    } catch (err) {
      if (opened === 0) throw err;
      this.deferred = err;
    }
    return work.subarray(0, opened);
  }

  private throwDeferred(): void {
    if (this.deferred !== null) {
      this.finished = true;
      throw this.deferred;
    }
  }

  /** Ends the payload: authenticates a short final chunk, or throws if the payload is incomplete. */
  final(): Buffer {
    this.throwDeferred();
    if (this.finished) throw new Error('StreamDecryptor already finished');
    this.finished = true;
    // The testkit counts a missing or short payload nonce as a header failure.
    if (this.key === null) throw headerError('file is truncated (missing payload nonce)');
    try {
      if (this.sawLast) return EMPTY;
      const length = this.pendingLength;
      this.pendingLength = 0;
      if (length === 0) {
        throw payloadError(this.counter === 0 ? 'payload has no chunks' : 'payload is truncated (no final chunk)');
      }
      if (length < TAG_SIZE) throw payloadError('payload is truncated (the last chunk is shorter than its tag)');
      if (length === TAG_SIZE && this.counter > 0) throw payloadError('final payload chunk is empty');
      const work = Buffer.from(this.pending.subarray(0, length));
      if (!openChunkAt(this.key, this.counter, true, work, 0, length, 0)) throw this.failed();
      this.counter++;
      return work.subarray(0, length - TAG_SIZE);
    } finally {
      this.key.fill(0);
      this.pending.fill(0);
    }
  }
}

/**
 * The error for a whole chunk (number `counter`, followed by more bytes) that did not open as a
 * non-final chunk, as StreamDecryptor reports it: trailing data when it is a valid final chunk,
 * an authentication failure otherwise.
 */
export function failedChunkError(payloadKey: Buffer, counter: number, sealedChunk: Buffer): Error {
  const judge = StreamDecryptor.resume(payloadKey, counter);
  try {
    judge.push(Buffer.concat([sealedChunk, Buffer.alloc(1)]));
    judge.push(Buffer.alloc(0));
    judge.final();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  return payloadError('payload has trailing data after the final chunk');
}

/**
 * The plaintext size of a payload of `payloadLength` bytes (nonce included), computed without
 * decrypting. Throws AgeDecryptionError('payload') when no valid payload has that length.
 */
export function payloadPlaintextSize(payloadLength: number): number {
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) throw new RangeError('invalid payload length');
  const chunks = payloadLength - PAYLOAD_NONCE_SIZE;
  if (chunks < TAG_SIZE) throw payloadError('payload is too short to hold a final chunk');
  const full = Math.floor(chunks / ENCRYPTED_CHUNK_SIZE);
  const rest = chunks % ENCRYPTED_CHUNK_SIZE;
  if (rest === 0) return full * CHUNK_SIZE;
  if (rest < TAG_SIZE || (rest === TAG_SIZE && full > 0)) {
    throw payloadError('payload length is impossible for an age file (truncated or padded)');
  }
  return full * CHUNK_SIZE + rest - TAG_SIZE;
}

/** The payload size (nonce included) that encrypting `plaintextLength` bytes produces. */
export function payloadCiphertextSize(plaintextLength: number): number {
  if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0) throw new RangeError('invalid plaintext length');
  const chunks = plaintextLength === 0 ? 1 : Math.ceil(plaintextLength / CHUNK_SIZE);
  return PAYLOAD_NONCE_SIZE + plaintextLength + chunks * TAG_SIZE;
}
