/**
 * File-to-file age encryption with steady-state memory reuse: one read buffer, and the 1 MiB
 * worker blocks are recycled once written. (fs streams allocate a fresh buffer per read, which
 * on some systems costs more in page faults than the cryptography itself.)
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { decryptStream, encryptStream, type DecryptOptions, type EncryptOptions } from './age.js';
import { BufferRecycler } from './parallel.js';
import type { Identity, Recipient } from './recipients.js';

const READ_SIZE = 1 << 20;

export interface FileJobOptions {
  /** Called with the number of input bytes consumed so far. */
  onProgress?: (bytesRead: number) => void;
  /** Aborts between blocks; a partial output (regular) file is removed. */
  signal?: AbortSignal;
}

async function* readFile(handle: FileHandle, opts: FileJobOptions): AsyncGenerator<Buffer, void, undefined> {
  const buf = Buffer.allocUnsafe(READ_SIZE);
  let total = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const { bytesRead } = await handle.read(buf, 0, READ_SIZE, null);
    if (bytesRead === 0) return;
    total += bytesRead;
    yield buf.subarray(0, bytesRead); // consumers copy what they keep before asking for more
    opts.onProgress?.(total);
  }
}

async function run(
  inputPath: string,
  outputPath: string,
  transform: (source: AsyncIterable<Buffer>, recycler: BufferRecycler) => AsyncIterable<Buffer>,
  opts: FileJobOptions,
): Promise<{ bytesWritten: number }> {
  const input = await open(inputPath, 'r');
  let output: FileHandle | null = null;
  let removeOnFailure = false;
  let bytesWritten = 0;
  try {
    output = await open(outputPath, 'w');
    // Only a regular file is ours to delete on failure (never a device such as /dev/null).
    removeOnFailure = (await output.stat()).isFile();
    const recycler = new BufferRecycler();
    for await (const piece of transform(readFile(input, opts), recycler)) {
      await output.write(piece);
      bytesWritten += piece.length;
      recycler.give(piece);
    }
    await output.close();
    output = null;
    return { bytesWritten };
  } catch (err) {
    await output?.close().catch(() => undefined);
    output = null;
    if (removeOnFailure) await rm(outputPath, { force: true });
    throw err;
  } finally {
    await input.close();
  }
}

/** Encrypts a file to an age file. Throws (and removes the output) on any failure. */
export function encryptFile(
  inputPath: string,
  outputPath: string,
  recipients: readonly Recipient[],
  options: EncryptOptions & FileJobOptions = {},
): Promise<{ bytesWritten: number }> {
  return run(inputPath, outputPath, (src, recycler) => encryptStream(src, recipients, { ...options, recycler }), options);
}

/**
 * Decrypts an age file. Plaintext is written as it authenticates; if the file turns out to be
 * damaged the output is removed and the typed error is thrown.
 */
export function decryptFile(
  inputPath: string,
  outputPath: string,
  identities: readonly Identity[],
  options: DecryptOptions & FileJobOptions = {},
): Promise<{ bytesWritten: number }> {
  return run(inputPath, outputPath, (src, recycler) => decryptStream(src, identities, { ...options, recycler }), options);
}
