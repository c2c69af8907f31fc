/**
 * The age payload: a 16-byte nonce, then STREAM — ChaCha20-Poly1305 over 64 KiB plaintext chunks
 * with an 11-byte big-endian counter and a last-chunk flag as the nonce.
 *
 * Both directions work incrementally with bounded memory: at most one chunk is held back (the
 * encryptor cannot know a chunk is the last until it sees the end; the decryptor likewise cannot
 * know a full-size chunk is the last until more bytes arrive). Large inputs are processed in
 * place as views, several chunks per call, with no copies of the input.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { headerError, payloadError } from './errors.js';
import { FILE_KEY_SIZE, hkdf32 } from './primitives.js';

export const PAYLOAD_NONCE_SIZE = 16;
export const CHUNK_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
export const ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;
const LAST_FLAG_INDEX = 11;
/** Chunk counters are 11 bytes; we count in a double, which is exact far beyond any file size. */
const MAX_CHUNKS = Number.MAX_SAFE_INTEGER;

export function derivePayloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return hkdf32(fileKey, nonce, 'payload');
}

const EMPTY = Buffer.alloc(0);

/** One buffer per call, so consumers (file streams) see few large writes instead of tiny tags. */
function join(parts: Buffer[]): Buffer {
  if (parts.length === 0) return EMPTY;
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

function checkFileKey(fileKey: Uint8Array): void {
  if (fileKey.length !== FILE_KEY_SIZE) throw new RangeError('age file keys are 16 bytes');
}

/** Writes the chunk counter into bytes 0..10 of the 12-byte nonce (bytes 0..2 stay zero). */
function setCounter(nonce: Buffer, counter: number): void {
  nonce.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 3);
  nonce.writeUInt32BE(counter >>> 0, 7);
}

/** Encrypts a payload incrementally. Output: the payload nonce, then the encrypted chunks. */
export class StreamEncryptor {
  private key: Buffer;
  private readonly nonce = Buffer.alloc(12);
  private readonly pending = Buffer.allocUnsafe(CHUNK_SIZE);
  private pendingLength = 0;
  private counter = 0;
  private header: Buffer | null;
  private finished = false;

  /** `payloadNonce` is random unless given (only tests should pass one). */
  constructor(fileKey: Uint8Array, payloadNonce: Uint8Array = randomBytes(PAYLOAD_NONCE_SIZE)) {
    checkFileKey(fileKey);
    if (payloadNonce.length !== PAYLOAD_NONCE_SIZE) throw new RangeError('payload nonce must be 16 bytes');
    this.header = Buffer.from(payloadNonce);
    this.key = derivePayloadKey(fileKey, payloadNonce);
  }

  /**
   * Continues a payload whose nonce and first `counter` chunks were produced elsewhere (by the
   * parallel workers): output starts directly with chunk `counter`.
   */
  static resume(payloadKey: Buffer, counter: number): StreamEncryptor {
    const enc = new StreamEncryptor(Buffer.alloc(FILE_KEY_SIZE), Buffer.alloc(PAYLOAD_NONCE_SIZE));
    enc.key = payloadKey;
    enc.header = null;
    enc.counter = counter;
    return enc;
  }

  private seal(plain: Buffer, last: boolean, out: Buffer[]): void {
    if (this.counter >= MAX_CHUNKS) throw new RangeError('payload too large');
    setCounter(this.nonce, this.counter++);
    this.nonce[LAST_FLAG_INDEX] = last ? 1 : 0;
    const c = createCipheriv('chacha20-poly1305', this.key, this.nonce, { authTagLength: TAG_SIZE });
    const ct = c.update(plain);
    c.final();
    if (ct.length > 0) out.push(ct);
    out.push(c.getAuthTag());
  }

  private start(out: Buffer[]): void {
    if (this.finished) throw new Error('StreamEncryptor already finished');
    if (this.header !== null) {
      out.push(this.header);
      this.header = null;
    }
  }

  /** Feeds plaintext; returns the ciphertext that is ready (possibly empty). */
  push(data: Uint8Array): Buffer {
    const out: Buffer[] = [];
    this.start(out);
    const input = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let offset = 0;
    if (this.pendingLength > 0) {
      const take = Math.min(CHUNK_SIZE - this.pendingLength, input.length);
      input.copy(this.pending, this.pendingLength, 0, take);
      this.pendingLength += take;
      offset = take;
      if (this.pendingLength === CHUNK_SIZE && offset < input.length) {
        this.seal(this.pending, false, out);
        this.pendingLength = 0;
      }
    }
    // Whole chunks straight from the input, always keeping at least one byte back so we never
    // seal a chunk as non-final that turns out to be the last.
    while (input.length - offset > CHUNK_SIZE) {
      this.seal(input.subarray(offset, offset + CHUNK_SIZE), false, out);
      offset += CHUNK_SIZE;
    }
    if (offset < input.length) {
      input.copy(this.pending, this.pendingLength, offset);
      this.pendingLength += input.length - offset;
    }
    return join(out);
  }

  /** Seals the final chunk (empty only if the whole plaintext was empty); returns the rest of the payload. */
  final(): Buffer {
    const out: Buffer[] = [];
    this.start(out);
    this.seal(this.pending.subarray(0, this.pendingLength), true, out);
    this.pending.fill(0);
    this.pendingLength = 0;
    this.finished = true;
    return join(out);
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
  private readonly nonce = Buffer.alloc(12);
  private readonly pending = Buffer.allocUnsafe(ENCRYPTED_CHUNK_SIZE);
  private pendingLength = 0;
  private counter = 0;
  private sawLast = false;
  private finished = false;
  /** An error found after some plaintext was already authenticated in the same push. */
  private deferred: unknown = null;

  constructor(fileKey: Uint8Array) {
    checkFileKey(fileKey);
    this.fileKey = Buffer.from(fileKey);
  }

  /** Continues after the nonce and `counter` chunks were verified elsewhere (parallel workers). */
  static resume(payloadKey: Buffer, counter: number): StreamDecryptor {
    const dec = new StreamDecryptor(Buffer.alloc(FILE_KEY_SIZE));
    dec.key = payloadKey;
    dec.counter = counter;
    return dec;
  }

  /** Number of chunks authenticated so far. */
  get chunksVerified(): number {
    return this.counter;
  }

  /** Opens one sealed chunk under the current counter; null when the tag does not verify. */
  private tryOpen(sealed: Buffer, last: boolean): Buffer | null {
    setCounter(this.nonce, this.counter);
    this.nonce[LAST_FLAG_INDEX] = last ? 1 : 0;
    const d = createDecipheriv('chacha20-poly1305', this.key as Buffer, this.nonce, { authTagLength: TAG_SIZE });
    d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
    const plain = d.update(sealed.subarray(0, sealed.length - TAG_SIZE));
    try {
      d.final();
    } catch {
      plain.fill(0);
      return null;
    }
    return plain;
  }

  private failed(): Error {
    return payloadError(`payload chunk ${this.counter} failed authentication (the file is corrupted, truncated or was modified)`);
  }

  /** A complete 64 KiB + tag chunk: normally non-final, but the final chunk may be full too. */
  private openFull(sealed: Buffer, out: Buffer[]): void {
    let plain = this.tryOpen(sealed, false);
    if (plain === null) {
      plain = this.tryOpen(sealed, true);
      if (plain === null) throw this.failed();
      this.sawLast = true;
    }
    this.counter++;
    out.push(plain);
  }

  private takeNonce(input: Buffer): number {
    const take = Math.min(PAYLOAD_NONCE_SIZE - this.pendingLength, input.length);
    input.copy(this.pending, this.pendingLength, 0, take);
    this.pendingLength += take;
    if (this.pendingLength === PAYLOAD_NONCE_SIZE) {
      this.key = derivePayloadKey(this.fileKey, this.pending.subarray(0, PAYLOAD_NONCE_SIZE));
      this.pendingLength = 0;
    }
    return take;
  }

  /**
   * Feeds payload bytes; returns the plaintext of every chunk authenticated by them. When an
   * error follows authenticated chunks in the same call, those chunks are returned and the error
   * is thrown by the next push() or final().
   */
  push(data: Uint8Array): Buffer {
    this.throwDeferred();
    if (this.finished) throw new Error('StreamDecryptor already finished');
    const out: Buffer[] = [];
    try {
      this.pushInto(data, out);
    } catch (err) {
      if (out.length === 0) throw err;
      this.deferred = err;
    }
    return join(out);
  }

  private throwDeferred(): void {
    if (this.deferred !== null) {
      this.finished = true;
      throw this.deferred;
    }
  }

  private pushInto(data: Uint8Array, out: Buffer[]): void {
    const input = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let offset = 0;
    if (this.key === null) {
      offset = this.takeNonce(input);
      if (this.key === null) return;
    }
    const trailing = (): never => {
      throw payloadError('payload has trailing data after the final chunk');
    };
    if (this.sawLast && offset < input.length) trailing();
    if (this.pendingLength > 0) {
      const take = Math.min(ENCRYPTED_CHUNK_SIZE - this.pendingLength, input.length - offset);
      input.copy(this.pending, this.pendingLength, offset, offset + take);
      this.pendingLength += take;
      offset += take;
      if (this.pendingLength === ENCRYPTED_CHUNK_SIZE) {
        this.pendingLength = 0;
        this.openFull(this.pending, out);
        if (this.sawLast && offset < input.length) trailing();
      }
    }
    while (input.length - offset >= ENCRYPTED_CHUNK_SIZE) {
      this.openFull(input.subarray(offset, offset + ENCRYPTED_CHUNK_SIZE), out);
      offset += ENCRYPTED_CHUNK_SIZE;
      if (this.sawLast && offset < input.length) trailing();
    }
    if (offset < input.length) {
      input.copy(this.pending, this.pendingLength, offset);
      this.pendingLength += input.length - offset;
    }
  }

  /** Ends the payload: authenticates a short final chunk, or throws if the payload is incomplete. */
  final(): Buffer {
    this.throwDeferred();
    if (this.finished) throw new Error('StreamDecryptor already finished');
    this.finished = true;
    // The testkit counts a missing or short payload nonce as a header failure.
    if (this.key === null) throw headerError('file is truncated (missing payload nonce)');
    if (this.sawLast) return EMPTY;
    const length = this.pendingLength;
    this.pendingLength = 0;
    if (length === 0) {
      throw payloadError(this.counter === 0 ? 'payload has no chunks' : 'payload is truncated (no final chunk)');
    }
    if (length < TAG_SIZE) throw payloadError('payload is truncated (the last chunk is shorter than its tag)');
    if (length === TAG_SIZE && this.counter > 0) throw payloadError('final payload chunk is empty');
    const plain = this.tryOpen(this.pending.subarray(0, length), true);
    if (plain === null) throw this.failed();
    this.counter++;
    return plain;
  }
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
