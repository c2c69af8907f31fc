/** Reading an age file's header from disk, binary or ASCII-armored, and the binary bytes of an armored file. */
import type { FileHandle } from 'node:fs/promises';
import { ArmorDecoder, looksArmored, parseHeader, type ParsedHeader } from '../crypto/age/index.js';
import { headerError } from '../crypto/age/errors.js';
import { readBlocks, readFull } from './fileIo.js';

export const MAX_HEADER_BYTES = 16 << 20;
const FIRST_READ = 64 * 1024;

/** The header of a file as found on disk. */
export interface FileHeader {
  parsed: ParsedHeader;
  /** The binary header bytes, MAC line included (a private copy). */
  raw: Buffer;
  armored: boolean;
}

/** The age stream classes return ready bytes as one buffer or a list of them: either way, a list. */
export function parts(out: Buffer | readonly Buffer[]): Buffer[] {
  if (Buffer.isBuffer(out)) return out.length > 0 ? [out] : [];
  return out.filter((b) => b.length > 0);
}

export function joined(out: Buffer | readonly Buffer[]): Buffer {
  const list = parts(out);
  return list.length === 1 ? (list[0] as Buffer) : Buffer.concat(list);
}

/** The binary age bytes of a file: as stored, or with the ASCII armor removed. */
export async function* binarySource(fh: FileHandle, armored: boolean): AsyncGenerator<Buffer, void, undefined> {
  if (!armored) {
    yield* readBlocks(fh, 0);
    return;
  }
  const decoder = new ArmorDecoder();
  for await (const block of readBlocks(fh, 0)) {
    const bytes = joined(decoder.push(block));
    if (bytes.length > 0) yield bytes;
  }
  const tail = joined(decoder.final());
  if (tail.length > 0) yield tail;
}

/** Reads just the header of a file (binary or armored), with a private copy of its bytes. */
export async function readFileHeader(fh: FileHandle, size: number): Promise<FileHeader> {
  const first = Buffer.alloc(Math.min(FIRST_READ, size));
  const n = await readFull(fh, first, 0);
  const armored = looksArmored(first.subarray(0, n));
  if (!armored) {
    let buf = first.subarray(0, n);
    for (;;) {
      const parsed = parseHeader(buf);
      if (parsed.complete) return { parsed, raw: buf.subarray(0, parsed.payloadOffset), armored };
      if (buf.length >= size || buf.length >= MAX_HEADER_BYTES) {
        throw headerError(buf.length >= size ? 'file is truncated inside the header' : 'header is larger than the limit');
      }
      const bigger = Buffer.alloc(Math.min(size, buf.length * 4, MAX_HEADER_BYTES));
      buf = bigger.subarray(0, await readFull(fh, bigger, 0));
    }
  }
  let head = Buffer.alloc(0);
  for await (const block of binarySource(fh, true)) {
    head = Buffer.concat([head, block]);
    const parsed = parseHeader(head);
    if (parsed.complete) {
      const raw = Buffer.from(head.subarray(0, parsed.payloadOffset));
      return { parsed: parseHeader(raw) as ParsedHeader & { complete: true }, raw, armored };
    }
    if (head.length > MAX_HEADER_BYTES) throw headerError('header is larger than the limit');
  }
  throw headerError('file is truncated inside the header');
}
