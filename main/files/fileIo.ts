/**
 * File plumbing for the file jobs: large-block reads with one read ahead, writes with one write in
 * flight (backpressure), temporary outputs committed by fsync + rename (or link, to refuse an
 * existing file), and directory fsync. Memory per job: two read blocks plus one block of output.
 */
import { randomBytes } from 'node:crypto';
import { lstat, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { createRequire } from 'node:module';
import type * as Vm from 'node:vm';
import { ArmorDecoder } from '../crypto/age/armor.js';
import { CancelledException, NotARegularFileException, NotFoundException } from '../core/errors.js';
import { fileSystemError } from '../core/fileSystemErrors.js';
import { errnoCode, fsyncDirectory, publishFile } from '../store/durableFiles.js';
import { nameUnnamedOutput, openUnnamedOutput } from './unnamedOutput.js';

/** Read size: large reads cut into 64 KiB STREAM chunks are what make Node fast here. */
export const BLOCK_SIZE = 1 << 20;

// Durable-file helpers live in store/durableFiles.ts; re-exported for the file engine's modules.
export { errnoCode, fsyncDirectory as fsyncDir } from '../store/durableFiles.js';

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledException('The file job was cancelled.');
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

/** Opens an input file for reading, with typed errors. */
export async function openInput(path: string, flags: string = 'r'): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, flags);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') throw new NotFoundException(`The file ${path} does not exist.`);
    throw fileSystemError(err, 'read', path) ?? err;
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new NotARegularFileException(`${path} is not a regular file (a device, pipe or socket).`);
  }
  return { fh, size: st.size };
}

/** Reads until `buf` is full or the file ends; returns the number of bytes read. */
export async function readFull(fh: FileHandle, buf: Buffer, position: number, length = buf.length): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/**
 * Sequential bytes for the payload engine: fill() reads up to `length` bytes into `buf` and returns
 * fewer only at the end. One fill at a time.
 */
export interface PayloadSource {
  fill(buf: Buffer, length: number): Promise<number>;
}

/** The file itself from `start`. */
export function fileSource(fh: FileHandle, start: number): PayloadSource {
  let position = start;
  return {
    async fill(buf, length) {
      const n = await readFull(fh, buf, position, length);
      position += n;
      return n;
    },
  };
}

/**
 * The binary bytes of an ASCII-armored file read from its start, the first `skip` of them (the
 * header) dropped. Armor errors surface from fill() where the bad line is met.
 */
export function dearmoredSource(fh: FileHandle, skip: number): PayloadSource {
  const decoder = new ArmorDecoder();
  const raw = Buffer.allocUnsafe(BLOCK_SIZE);
  let position = 0;
  let carry: Buffer = Buffer.alloc(0);
  let toSkip = skip;
  let ended = false;
  const more = async (): Promise<void> => {
    const n = await readFull(fh, raw, position);
    position += n;
    if (n === 0) {
      ended = true;
      carry = decoder.final();
    } else {
      carry = decoder.push(raw.subarray(0, n));
    }
    const dropped = Math.min(toSkip, carry.length);
    toSkip -= dropped;
    carry = carry.subarray(dropped);
  };
  return {
    async fill(buf, length) {
      let done = 0;
      while (done < length) {
        if (carry.length === 0) {
          if (ended) break;
          await more();
          continue;
        }
        const take = carry.copy(buf, done, 0, Math.min(carry.length, length - done));
        carry = carry.subarray(take);
        done += take;
      }
      return done;
    },
  };
}

/**
 * Yields the file from `start` in blocks of BLOCK_SIZE, reading the next block while the caller
 * works on the current one. A yielded block is valid only until the next one is requested.
 */
export async function* readBlocks(fh: FileHandle, start: number, blockSize = BLOCK_SIZE): AsyncGenerator<Buffer, void, undefined> {
  const bufs = [Buffer.allocUnsafe(blockSize), Buffer.allocUnsafe(blockSize)] as const;
  let which = 0;
  let position = start;
  let pending: Promise<number> = readFull(fh, bufs[0], position);
  try {
    for (;;) {
      const n = await pending;
      if (n === 0) return;
      const current = bufs[which as 0 | 1];
      position += n;
      which ^= 1;
      pending = n < blockSize ? Promise.resolve(0) : readFull(fh, bufs[which as 0 | 1], position);
      yield current.subarray(0, n);
    }
  } finally {
    // A consumer that stops early must not leave a read racing the close of the file.
    await pending.catch(() => 0);
  }
}

/** Sequential writer with at most one write in flight. */
export class BlockWriter {
  private inFlight: Promise<void> = Promise.resolve();
  private failed: unknown = null;
  position: number;

  constructor(
    private readonly fh: FileHandle,
    start = 0,
  ) {
    this.position = start;
  }

  /** Waits for the previous write, then starts writing `parts` (which must not be reused). */
  async write(parts: Buffer[]): Promise<void> {
    await this.inFlight;
    if (this.failed !== null) throw this.failed;
    let total = 0;
    for (const p of parts) total += p.length;
    if (total === 0) return;
    const at = this.position;
    this.position += total;
    this.inFlight = this.writeAll(parts, at, total).catch((err: unknown) => {
      this.failed = err;
    });
  }

  private async writeAll(parts: Buffer[], at: number, total: number): Promise<void> {
    let list = parts;
    let pos = at;
    let left = total;
    while (left > 0) {
      // writev with more than IOV_MAX buffers is split by libuv; short writes are resumed here.
      const { bytesWritten } = await this.fh.writev(list, pos);
      left -= bytesWritten;
      pos += bytesWritten;
      if (left > 0) list = skipBytes(list, bytesWritten);
    }
  }

  async flush(): Promise<void> {
    await this.inFlight;
    if (this.failed !== null) throw this.failed;
  }
}

function skipBytes(parts: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = n;
  for (const p of parts) {
    if (skip >= p.length) {
      skip -= p.length;
      continue;
    }
    out.push(skip > 0 ? p.subarray(skip) : p);
    skip = 0;
  }
  return out;
}

/** The suffix of a job's partial output; its full name is `.NAME.<pid>.<random>.keyvault-part`. */
export const PART_SUFFIX = '.keyvault-part';
const PART_NAME = /^\..+\.([1-9][0-9]{0,9})\.[0-9a-f]{12}\.keyvault-part$/;

/** The name of a partial output for `finalPath`, carrying the writer's pid so a sweeper can tell it is gone. */
export function partPath(finalPath: string, pid = process.pid): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${pid}.${randomBytes(6).toString('hex')}${PART_SUFFIX}`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM'; // alive, someone else's
  }
}

/**
 * Partial outputs in `dir` left by a job that was killed (SIGKILL, power cut): ours by name
 * pattern, owned by this user, a regular file, and the pid in the name is no live process. A part
 * of a job still running is never listed. A recycled pid only means a part is kept for longer.
 */
export async function findStaleParts(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const stale: string[] = [];
  for (const name of names) {
    const match = PART_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || processIsAlive(pid)) continue;
    const path = join(dir, name);
    try {
      const st = await lstat(path);
      if (!st.isFile() || (uid !== undefined && st.uid !== uid)) continue;
    } catch {
      continue;
    }
    stale.push(path);
  }
  return stale;
}

/** Removes findStaleParts(dir), best effort; returns the paths removed. */
export async function sweepStaleParts(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const path of await findStaleParts(dir)) {
    try {
      await unlink(path);
      removed.push(path);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

/**
 * An output file written under a temporary name in the destination's directory and moved into
 * place only by commit(). discard() removes it; nothing else ever appears at the final path.
 * Creating one first sweeps the parts that killed jobs left in that directory.
 */
export class TempOutput {
  private closed = false;

  private constructor(
    readonly finalPath: string,
    readonly tempPath: string,
    readonly fh: FileHandle,
    private readonly unnamed = false,
  ) {}

  static async create(finalPath: string, mode = 0o600): Promise<TempOutput> {
    await sweepStaleParts(dirname(finalPath));
    const tempPath = partPath(finalPath);
    // Where possible the file has no name until commit: a killed job leaves nothing behind.
    const unnamed = await openUnnamedOutput(dirname(finalPath), mode);
    if (unnamed) return new TempOutput(finalPath, tempPath, unnamed, true);
    let fh: FileHandle;
    try {
      fh = await open(tempPath, 'wx', mode);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT') throw new NotFoundException(`The output directory ${dirname(finalPath)} does not exist.`);
      throw fileSystemError(err, 'write', finalPath) ?? err;
    }
    return new TempOutput(finalPath, tempPath, fh);
  }

  /** Makes the data durable and moves it into place; refuses an existing file unless `overwrite`. */
  async commit(overwrite: boolean): Promise<void> {
    await this.fh.sync();
    if (this.unnamed) await nameUnnamedOutput(this.fh, this.finalPath, this.tempPath, overwrite);
    await this.fh.close();
    this.closed = true;
    if (this.unnamed) await fsyncDirectory(dirname(this.finalPath));
    else await publishFile(this.tempPath, this.finalPath, overwrite, `${this.finalPath} already exists (use Overwrite to replace it).`);
  }

  async discard(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.fh.close().catch(() => undefined);
    }
    await unlink(this.tempPath).catch(() => undefined);
  }
}

type GcFunction = (options?: { type?: 'minor' | 'major' }) => void;
let gcFunction: GcFunction | null | undefined;

function findGc(): GcFunction | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as GcFunction;
  try {
    setFlagsFromString('--expose-gc');
    const { runInNewContext } = createRequire(import.meta.url)('node:vm') as typeof Vm; // loaded on first use
    const fn: unknown = runInNewContext('gc');
    return typeof fn === 'function' ? (fn as GcFunction) : null;
  } catch {
    return null;
  }
}

/**
 * Keeps a long job's memory flat. Every 64 KiB chunk costs a fresh ciphertext or plaintext
 * buffer (node:crypto cannot write into a caller's buffer), and V8 frees those only when a young
 * generation collection runs — which it starts on its own only after about 64 MB of such
 * garbage. A young-generation collection every few MiB (well under a millisecond each) keeps the
 * garbage to a few MiB, so a job's peak RSS does not depend on the file size or on that limit.
 */
export class GarbageNudge {
  private since = 0;
  private readonly gc: GcFunction | null;

  constructor(private readonly everyBytes = 4 << 20) {
    if (gcFunction === undefined) gcFunction = findGc();
    this.gc = gcFunction;
  }

  add(bytes: number): void {
    this.since += bytes;
    if (this.since >= this.everyBytes && this.gc !== null) {
      this.since = 0;
      this.gc({ type: 'minor' });
    }
  }
}
