/**
 * Encryption and decryption of ASCII-armored files: the age stream classes on this thread (1 MiB
 * reads cut into 64 KiB STREAM chunks, one read ahead, one write in flight), output through the
 * armorer. Binary files take payloadPipeline.ts instead.
 */
import type { FileHandle } from 'node:fs/promises';
import {
  ArmorEncoder,
  CHUNK_SIZE,
  PAYLOAD_NONCE_SIZE,
  parseHeader,
  StreamDecryptor,
  StreamEncryptor,
  TAG_SIZE,
  type ParsedHeader,
} from '../crypto/age/index.js';
import { headerError } from '../crypto/age/errors.js';
import type { VaultStanzaRef } from '../crypto/vaultStanza.js';
import { BlockWriter, readBlocks, TempOutput, throwIfAborted } from './fileIo.js';
import { binarySource, joined, MAX_HEADER_BYTES, parts } from './fileHeader.js';
import type { Progress } from './jobProgress.js';

/** Opens a header's file key (the header MAC verified), naming the vault stanza it came from. */
export type FileKeyUnwrapper = (parsed: ParsedHeader) => Promise<{ fileKey: Buffer; opened: VaultStanzaRef | null }>;

/**
 * Feeds a StreamEncryptor or StreamDecryptor in pieces that end on STREAM chunk boundaries, so
 * each push completes at most one chunk and hands back that chunk's buffer as it is. (Given a
 * whole 1 MiB block, the stream classes join its chunks into one new buffer: a second copy of
 * every byte, which profiling showed costing more than the decryption itself.)
 */
class ChunkAlignedFeed {
  private fed = 0;

  constructor(
    private readonly push: (piece: Buffer) => Buffer | readonly Buffer[],
    private readonly first: number,
    private readonly period: number,
  ) {}

  feed(block: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let offset = 0;
    while (offset < block.length) {
      const next = this.fed < this.first ? this.first : this.first + (Math.floor((this.fed - this.first) / this.period) + 1) * this.period;
      const take = Math.min(next - this.fed, block.length - offset);
      for (const p of parts(this.push(block.subarray(offset, offset + take)))) out.push(p);
      offset += take;
      this.fed += take;
    }
    return out;
  }
}

/** The plaintext side: 64 KiB pieces. */
const encryptorFeed = (enc: StreamEncryptor): ChunkAlignedFeed => new ChunkAlignedFeed((b) => enc.push(b), CHUNK_SIZE, CHUNK_SIZE);
/** The payload side: the 16-byte nonce, then 64 KiB + 16 pieces. */
const decryptorFeed = (dec: StreamDecryptor): ChunkAlignedFeed => new ChunkAlignedFeed((b) => dec.push(b), PAYLOAD_NONCE_SIZE, CHUNK_SIZE + TAG_SIZE);

/** Encryption with ASCII armor: the stream classes on this thread, output through the armorer. */
export async function encryptArmored(fh: FileHandle, outFh: FileHandle, header: Buffer, fileKey: Buffer, progress: Progress, signal: AbortSignal): Promise<void> {
  const enc = new StreamEncryptor(fileKey);
  const writer = new BlockWriter(outFh);
  const armorer = new ArmorEncoder();
  const emit = (out: Buffer | readonly Buffer[]): Buffer[] => parts(armorer.push(joined(out)));
  const feed = encryptorFeed(enc);
  try {
    await writer.write(emit(header));
    for await (const block of readBlocks(fh, 0)) {
      throwIfAborted(signal);
      await writer.write(emit(feed.feed(block)));
      progress.add(block.length);
    }
    await writer.write(emit(enc.final()));
    await writer.write([armorer.final()]);
  } finally {
    await writer.flush().catch(() => undefined);
  }
  await writer.flush();
}

/** Decryption of an ASCII-armored file: the stream classes on this thread. */
export async function decryptArmored(
  fh: FileHandle,
  output: string,
  progress: Progress,
  signal: AbortSignal,
  created: (out: TempOutput) => void,
  unwrapForDecrypt: FileKeyUnwrapper,
): Promise<{ opened: VaultStanzaRef | null; produced: number }> {
  let head: Buffer | null = Buffer.alloc(0);
  let state: { dec: StreamDecryptor; feed: ChunkAlignedFeed; writer: BlockWriter } | null = null;
  let opened: VaultStanzaRef | null = null;
  let produced = 0;
  const write = async (w: BlockWriter, parts: Buffer[]): Promise<void> => {
    for (const p of parts) produced += p.length;
    await w.write(parts);
  };
  try {
    for await (const block of binarySource(fh, true)) {
      throwIfAborted(signal);
      if (state !== null) {
        await write(state.writer, state.feed.feed(block));
      } else {
        const buffered: Buffer = Buffer.concat([head ?? Buffer.alloc(0), block]);
        const parsed = parseHeader(buffered);
        if (!parsed.complete) {
          if (buffered.length > MAX_HEADER_BYTES) throw headerError('header is larger than the limit');
          head = buffered;
          continue;
        }
        // The header MAC is verified here, before any payload byte is looked at.
        const unwrapped = await unwrapForDecrypt(parsed);
        opened = unwrapped.opened;
        const dec = new StreamDecryptor(unwrapped.fileKey);
        unwrapped.fileKey.fill(0);
        const out = await TempOutput.create(output);
        created(out);
        state = { dec, feed: decryptorFeed(dec), writer: new BlockWriter(out.fh) };
        head = null;
        await write(state.writer, state.feed.feed(buffered.subarray(parsed.payloadOffset)));
      }
      progress.add(block.length);
    }
    if (state === null) {
      if (head !== null) parseHeader(head);
      throw headerError('file is truncated inside the header');
    }
    await write(state.writer, parts(state.dec.final()));
  } finally {
    await state?.writer.flush().catch(() => undefined);
  }
  await state.writer.flush();
  return { opened, produced };
}
