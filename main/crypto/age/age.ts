/**
 * Whole-file age operations: build a header for recipients, unwrap it with identities, and
 * encrypt/decrypt either a whole buffer or a stream with bounded memory.
 */
import { randomBytes } from 'node:crypto';
import { isKmsError } from '../../core/errors.js';
import { ArmorDecoder, ArmorEncoder, sniffArmor } from './armor.js';
import { AgeDecryptionError, headerError, invalidInput } from './errors.js';
import { formatHeader, parseHeader, verifyHeaderMac, type ParsedHeader, type Stanza } from './header.js';
import { FILE_KEY_SIZE } from './primitives.js';
import type { Identity, Recipient } from './recipients.js';
import { StreamDecryptor, StreamEncryptor } from './stream.js';

export interface EncryptOptions {
  /** Produce the ASCII-armored form. Default false. */
  armor?: boolean;
}

export interface DecryptOptions {
  /** true: input is armored; false: binary; 'auto' (default): detect from the first bytes. */
  armor?: boolean | 'auto';
  /** Largest header accepted before giving up. Default 16 MiB. */
  maxHeaderBytes?: number;
}

export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

const DEFAULT_MAX_HEADER = 16 << 20;

/** Wraps a file key for every recipient; an scrypt stanza may not be combined with others. */
export async function wrapFileKey(fileKey: Buffer, recipients: readonly Recipient[]): Promise<Stanza[]> {
  if (recipients.length === 0) throw invalidInput('at least one recipient is required');
  const stanzas: Stanza[] = [];
  for (const r of recipients) stanzas.push(...(await r.wrap(fileKey)));
  if (stanzas.length > 1 && stanzas.some((s) => s.type === 'scrypt')) {
    throw invalidInput('a passphrase can not be combined with other recipients in one file');
  }
  return stanzas;
}

/** A fresh file key and the complete header that wraps it for the recipients. */
export async function createHeader(recipients: readonly Recipient[]): Promise<{ fileKey: Buffer; header: Buffer }> {
  const fileKey = randomBytes(FILE_KEY_SIZE);
  const stanzas = await wrapFileKey(fileKey, recipients);
  return { fileKey, header: formatHeader(stanzas, fileKey) };
}

/**
 * Finds the file key with the first identity that recognises a stanza, and verifies the header
 * MAC with it. Throws AgeDecryptionError with stage `header`, `no-match` or `hmac`.
 */
export async function unwrapFileKey(header: ParsedHeader, identities: readonly Identity[]): Promise<Buffer> {
  if (identities.length === 0) throw invalidInput('at least one identity is required');
  const { stanzas } = header;
  if (stanzas.length > 1 && stanzas.some((s) => s.type === 'scrypt')) {
    throw headerError('an scrypt stanza must be the only stanza in the header');
  }
  for (const identity of identities) {
    let fileKey: Buffer | null;
    try {
      fileKey = await identity.unwrap(stanzas);
    } catch (err) {
      if (isKmsError(err)) throw err;
      throw headerError(`recipient stanza could not be unwrapped: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    if (fileKey === null) continue;
    if (fileKey.length !== FILE_KEY_SIZE) throw headerError('unwrapped file key has the wrong length');
    verifyHeaderMac(header, fileKey);
    return fileKey;
  }
  throw new AgeDecryptionError('no-match', 'no identity matched any of the recipients of this file');
}

/**
 * Re-wraps a file's key for a new set of recipients, keeping the payload as it is. `keep`
 * selects existing stanzas to carry over verbatim (default: none).
 */
export async function rewrapHeader(
  header: ParsedHeader,
  identities: readonly Identity[],
  recipients: readonly Recipient[],
  keep: (s: Stanza) => boolean = () => false,
): Promise<Buffer> {
  const fileKey = await unwrapFileKey(header, identities);
  try {
    const kept = header.stanzas.filter(keep);
    const added = recipients.length > 0 ? await wrapFileKey(fileKey, recipients) : [];
    const all = [...kept, ...added];
    if (all.length > 1 && all.some((s) => s.type === 'scrypt')) {
      throw invalidInput('a passphrase can not be combined with other recipients in one file');
    }
    return formatHeader(all, fileKey);
  } finally {
    fileKey.fill(0);
  }
}

/** Parses a complete header at the start of `data`; a truncated header is an error. */
export function readHeader(data: Buffer): ParsedHeader {
  const parsed = parseHeader(data);
  if (!parsed.complete) throw headerError('file is truncated inside the header');
  return parsed;
}

/** Encrypts a small buffer in one call. */
export async function encryptBuffer(plaintext: Uint8Array, recipients: readonly Recipient[], options: EncryptOptions = {}): Promise<Buffer> {
  const { fileKey, header } = await createHeader(recipients);
  const enc = new StreamEncryptor(fileKey);
  fileKey.fill(0);
  const binary = Buffer.concat([header, enc.push(plaintext), enc.final()]);
  if (!options.armor) return binary;
  const armorer = new ArmorEncoder();
  return Buffer.concat([armorer.push(binary), armorer.final()]);
}

/** Decrypts a whole buffer in one call: all of the plaintext, or an error and nothing. */
export async function decryptBuffer(ciphertext: Uint8Array, identities: readonly Identity[], options: DecryptOptions = {}): Promise<Buffer> {
  let data = Buffer.isBuffer(ciphertext) ? ciphertext : Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  const mode = options.armor ?? 'auto';
  if (mode === true || (mode === 'auto' && sniffArmor(data, true) === true)) {
    const dec = new ArmorDecoder();
    data = Buffer.concat([dec.push(data), dec.final()]);
  }
  const header = readHeader(data);
  const fileKey = await unwrapFileKey(header, identities);
  const dec = new StreamDecryptor(fileKey);
  fileKey.fill(0);
  const body = dec.push(data.subarray(header.payloadOffset));
  const last = dec.final();
  return last.length === 0 ? body : Buffer.concat([body, last]);
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Encrypts a stream (for example a fs.ReadStream) and yields the age file piece by piece.
 * Memory stays bounded: one output buffer per source chunk plus one held-back chunk.
 */
export async function* encryptStream(
  source: ByteSource,
  recipients: readonly Recipient[],
  options: EncryptOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  const { fileKey, header } = await createHeader(recipients);
  const armorer = options.armor ? new ArmorEncoder() : null;
  const emit = (bytes: Buffer): Buffer => (armorer === null ? bytes : armorer.push(bytes));
  const enc = new StreamEncryptor(fileKey);
  fileKey.fill(0);
  yield emit(header);
  for await (const chunk of source) {
    const out = enc.push(toBuffer(chunk));
    if (out.length > 0) yield emit(out);
  }
  yield emit(enc.final());
  if (armorer !== null) yield armorer.final();
}

function* feedFinal(decoder: ArmorDecoder): Generator<Buffer> {
  const out = decoder.final();
  if (out.length > 0) yield out;
}

/** Strips the armor from a byte stream when `mode` says so (or when 'auto' detects it). */
async function* unarmor(source: ByteSource, mode: boolean | 'auto'): AsyncGenerator<Buffer, void, undefined> {
  if (mode === false) {
    for await (const chunk of source) yield toBuffer(chunk);
    return;
  }
  let decoder: ArmorDecoder | null = mode === true ? new ArmorDecoder() : null;
  let head: Buffer | null = mode === 'auto' ? Buffer.alloc(0) : null;
  const feed = (chunk: Buffer): Buffer[] => {
    const out = decoder === null ? chunk : decoder.push(chunk);
    return out.length > 0 ? [out] : [];
  };
  for await (const raw of source) {
    let chunk = toBuffer(raw);
    if (head !== null) {
      // Decide once enough non-whitespace bytes are seen to tell the two forms apart.
      head = Buffer.concat([head, chunk]);
      const armored = sniffArmor(head, false);
      if (armored === null) continue;
      if (armored) decoder = new ArmorDecoder();
      chunk = head;
      head = null;
    }
    yield* feed(chunk);
  }
  if (head !== null) {
    if (sniffArmor(head, true)) decoder = new ArmorDecoder();
    yield* feed(head);
  }
  if (decoder !== null) yield* feedFinal(decoder);
}

/**
 * Decrypts a stream and yields plaintext as each 64 KiB chunk authenticates. If the file turns
 * out to be damaged, the generator throws after yielding the chunks that did authenticate, so a
 * consumer must treat output as untrusted until the generator completes (write to a temporary
 * file, rename on success).
 */
export async function* decryptStream(
  source: ByteSource,
  identities: readonly Identity[],
  options: DecryptOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  const maxHeader = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER;
  const input = unarmor(source, options.armor ?? 'auto')[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let parsed: ParsedHeader | null = null;
  while (parsed === null) {
    const next = await input.next();
    if (next.done) {
      readHeader(pending);
      throw headerError('file is truncated inside the header');
    }
    // Always a copy: the source may reuse its buffer once we ask for the next one.
    pending = Buffer.concat([pending, next.value]);
    const result = parseHeader(pending);
    if (result.complete) parsed = result;
    else if (pending.length > maxHeader) throw headerError('header is larger than the configured limit');
  }
  const fileKey = await unwrapFileKey(parsed, identities);
  const first = pending.subarray(parsed.payloadOffset);
  const payload = (async function* (): AsyncGenerator<Buffer, void, undefined> {
    if (first.length > 0) yield first;
    for (;;) {
      const next = await input.next();
      if (next.done) return;
      yield next.value;
    }
  })();
  const dec = new StreamDecryptor(fileKey);
  fileKey.fill(0);
  for await (const chunk of payload) {
    const plain = dec.push(chunk);
    if (plain.length > 0) yield plain;
  }
  const last = dec.final();
  if (last.length > 0) yield last;
}
