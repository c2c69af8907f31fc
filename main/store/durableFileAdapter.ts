/**
 * A lowdb adapter that keeps one JSON document in one file, durably and atomically.
 *
 * Write: compact JSON goes to a new temp file in the same directory
 * (`.<name>.<pid>.<random>.tmp`), which is fsynced, renamed over the target, and then the
 * directory is fsynced so the rename itself survives a power cut. Readers therefore only ever see
 * the old document or the new one, never a mix. Temp files left behind by a crashed writer are
 * never read and are removed (best effort) after the next successful write.
 *
 * Read: a missing file is `null`; a file that is not JSON or does not pass `parse` becomes a
 * KMSInternalException naming the file — never a raw crash. Reads are bounded: only a regular file
 * of at most MAX_DOCUMENT_BYTES is read (a link to /dev/zero or a FIFO is refused at once).
 *
 * Symbolic links: a link that resolves is followed, and writes go to its target (temp file and
 * rename in the target's directory), so the link itself is never replaced. A dangling link is
 * never read as "no file": it is an error, so nobody creates a new document in its place.
 *
 * Change detection: the adapter remembers the identity (device, inode, size, mtime) of the file
 * it last read or wrote, so `isCurrent()` is a single stat. While that content is "current" the
 * adapter keeps a descriptor open on it (POSIX only): an inode cannot be recycled while it is
 * open, so a file written later by another process can never look identical to it.
 */
import {
  close,
  closeSync,
  constants,
  fstat,
  fstatSync,
  fsync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { KMSInternalException, KMSInvalidStateException, NotARegularFileException, ValidationException } from '../core/errors.js';
import { fileSystemError } from '../core/fileSystemErrors.js';
import { descriptorWriter, errnoCode, fsyncDirectory, tempSiblingPath, writeAllAt } from './durableFiles.js';

/**
 * Validates parsed JSON and returns it typed; throws (ideally a KmsError) when it is not valid.
 * `text` is the file exactly as read, for checks over its bytes (the vault document's MAC).
 */
/** `bytes`: the file as read, of which `text` is the UTF-8 decoding (a MAC is checked on the bytes, not re-encoded text). */
export type DocumentParser<T> = (json: unknown, file: string, text: string, bytes: Buffer) => T;

/** The identity of one version of a file on disk. */
export interface FileSignature {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

export interface LoadedFile<T> {
  data: T;
  signature: FileSignature;
}

export interface DurableFileAdapterOptions {
  /** Permission bits of the written file. Default 0o600 (owner only). */
  mode?: number;
  /** Keep a descriptor open on the current content for reliable change detection. Default: not on Windows. */
  holdOpen?: boolean;
  /**
   * The parser checks the nesting depth itself (assertDocumentDepth) before any recursive walk, so
   * that it can skip the check where it knows the document (default false: every load is checked).
   */
  parserChecksDepth?: boolean;
  /** Turns the data into the file: JSON text (default JSON.stringify), bytes, or buffers written back to back. */
  serialize?: (data: unknown) => FileImage;
}

const TEMP_SUFFIX = '.tmp';
/** The largest document read (64 MiB, far beyond any real vault); anything bigger is refused unread. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
/** A temp file whose writer process is gone, or older than this, is garbage. */
const STALE_TEMP_AGE_MS = 10 * 60_000;

function signatureOf(st: BigIntStats): FileSignature {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs };
}

export function sameFileSignature(a: FileSignature | null, b: FileSignature | null): boolean {
  return a !== null && b !== null && a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The current signature of `file`, or null if it does not exist. */
export function fileSignatureSync(file: string): FileSignature | null {
  const st = statSync(file, { bigint: true, throwIfNoEntry: false });
  return st ? signatureOf(st) : null;
}

function decode<T>(bytes: Buffer, file: string, parse: DocumentParser<T>, checkDepth: boolean): T {
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const what = text.length === 0 ? 'is empty' : `is not valid JSON (damaged or truncated: ${reason(err)})`;
    throw new KMSInternalException(`The vault file ${file} ${what}.`, { cause: err });
  }
  if (checkDepth) assertDocumentDepth(json, file);
  return parse(json, file, text, bytes);
}

/** A vault document is ~6 levels deep; anything far deeper is refused before a recursive validator sees it. */
export const MAX_DOCUMENT_DEPTH = 64;

/** Refuses JSON nested deeper than any vault document (ValidationException) before a recursive walk meets it. */
export function assertDocumentDepth(json: unknown, file: string): void {
  assertDepthAtMost(json, MAX_DOCUMENT_DEPTH, file);
}

/**
 * Iterative (an explicit stack), so the check itself cannot overflow the call stack. Values and
 * depths sit in two parallel stacks (no pair allocated per object: a vault has ~70,000 objects).
 */
function assertDepthAtMost(json: unknown, limit: number, file: string): void {
  if (typeof json !== 'object' || json === null) return;
  const values: object[] = [json];
  const depths: number[] = [1];
  const push = (child: unknown, depth: number) => {
    if (typeof child !== 'object' || child === null) return;
    values.push(child);
    depths.push(depth);
  };
  while (values.length > 0) {
    const value = values.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) throw new ValidationException(`The vault file ${file} is nested more than ${limit} levels deep: it is not a vault document.`);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) push(value[i], depth + 1);
      continue;
    }
    for (const name in value) push((value as Record<string, unknown>)[name], depth + 1);
  }
}

function readFailure(file: string, err: unknown): Error {
  return (
    fileSystemError(err, 'read the vault file', file) ?? new KMSInternalException(`The vault file ${file} could not be read: ${reason(err)}`, { cause: err })
  );
}

/**
 * Throws when `file` does not resolve but an entry of some kind is there (a dangling symbolic
 * link, e.g. to an unmounted drive): a new document must never be created in its place.
 */
export function refuseDanglingEntry(file: string): void {
  const entry = lstatSync(file, { throwIfNoEntry: false });
  if (!entry) return;
  if (statSync(file, { throwIfNoEntry: false })) return;
  let target = '(unreadable link)';
  try {
    target = readlinkSync(file);
  } catch {
    // keep the placeholder
  }
  throw new KMSInvalidStateException(
    `${file} is a symbolic link to ${target}, which does not exist (a drive that is not mounted?). ` +
      'Nothing was created in its place: mount or restore the target, or remove the link yourself.',
  );
}

/** Reads the whole regular file behind `fd`, refusing other kinds of file and sizes over the bound. */
function readBounded(fd: number, file: string, size: bigint): Buffer {
  if (size > BigInt(MAX_DOCUMENT_BYTES)) {
    throw new ValidationException(
      `The vault file ${file} is ${size} bytes, more than the ${MAX_DOCUMENT_BYTES} bytes a vault may have: it is not a vault file.`,
    );
  }
  // One byte more than announced: a file that keeps growing is caught without reading it all.
  const buffer = Buffer.allocUnsafe(Number(size) + 1); // only the bytes read are kept
  let length = 0;
  try {
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0;) length += n;
  } catch (err) {
    throw readFailure(file, err);
  }
  if (length > Number(size)) throw new KMSInternalException(`The vault file ${file} changed size while it was read.`);
  return buffer.subarray(0, length);
}

/**
 * Opens `file`, reads and validates it. Returns the data, the signature of exactly the content
 * that was read, and the still-open descriptor (the caller closes it). Null if the file is missing.
 */
function loadWithFd<T>(file: string, parse: DocumentParser<T>, checkDepth = true): (LoadedFile<T> & { fd: number }) | null {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it has no effect on regular files).
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') {
      refuseDanglingEntry(file);
      return null;
    }
    throw readFailure(file, err);
  }
  try {
    // Signature and content come from the same descriptor, so they describe the same inode even
    // if another process renames a new version into place meanwhile.
    const stats = fstatSync(fd, { bigint: true });
    if (!stats.isFile()) {
      throw new NotARegularFileException(`The vault file ${file} is not a regular file (a device, pipe, socket or directory): it was not read.`);
    }
    const signature = signatureOf(stats);
    return { data: decode(readBounded(fd, file, stats.size), file, parse, checkDepth), signature, fd };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * Where a write must land: `file` itself, or the final target of a symbolic link at `file` (so
 * the link survives). A dangling link is refused.
 */
function writeTarget(file: string): string {
  const entry = lstatSync(file, { throwIfNoEntry: false });
  if (!entry?.isSymbolicLink()) return file;
  refuseDanglingEntry(file);
  return realpathSync(file);
}

/** Synchronous read-and-validate for fast reloads. Null if the file does not exist. `parserChecksDepth` as for the adapter. */
export function readJsonFileSync<T>(file: string, parse: DocumentParser<T>, parserChecksDepth = false): LoadedFile<T> | null {
  const loaded = loadWithFd(file, parse, !parserChecksDepth);
  if (!loaded) return null;
  closeSync(loaded.fd);
  return { data: loaded.data, signature: loaded.signature };
}

/** What serialize() returns: the file's text or bytes, or buffers written back to back with a check to pass before they are published. */
export type FileImage = string | Buffer | readonly Buffer[] | { parts: readonly Buffer[]; verify(): void };

function fileImage(image: FileImage): { parts: readonly Buffer[]; verify?: () => void } {
  if (typeof image === 'string') return { parts: [Buffer.from(image, 'utf8')] };
  if (Buffer.isBuffer(image)) return { parts: [image] };
  return 'parts' in image ? image : { parts: image };
}

/** A verify() failure, carried through the write's clean-up unchanged. */
class RefusedImage {
  constructor(readonly reason: unknown) {}
}

/**
 * Where the platform has it, O_DSYNC: each write returns once its data (and the file's size) are on
 * disk, so writing and syncing are one job for the thread pool, under way while this thread checks
 * the image. The rename that publishes the file is made durable by the directory's fsync.
 */
const closeAsync = promisify(close);
const fstatAsync = promisify(fstat);
const fsyncAsync = promisify(fsync);

const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_DSYNC ?? 0);

/** Creates `temp` (never an existing file) and starts writing `parts` to it durably; `done` gives the signature written. */
function writeSynced(temp: string, mode: number, parts: readonly Buffer[]): { fd: number; done: Promise<FileSignature> } {
  const fd = openSync(temp, TEMP_FLAGS, mode);
  const done = (async () => {
    await writeAllAt(descriptorWriter(fd), parts);
    if (constants.O_DSYNC === undefined) await fsyncAsync(fd);
    return signatureOf(await fstatAsync(fd, { bigint: true }));
  })();
  done.catch(() => undefined); // awaited by the caller; a failed check must not leave it unhandled
  return { fd, done };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

export class DurableFileAdapter<T> implements Adapter<T> {
  readonly file: string;
  private readonly mode: number;
  private readonly holdOpen: boolean;
  private readonly checkDepth: boolean;
  private readonly serialize: (data: unknown) => FileImage;
  private current: FileSignature | null = null;
  private heldFd: number | null = null;

  constructor(
    file: string,
    private readonly parse: DocumentParser<T>,
    options: DurableFileAdapterOptions = {},
  ) {
    this.file = file;
    this.mode = options.mode ?? 0o600;
    this.holdOpen = options.holdOpen ?? process.platform !== 'win32';
    this.checkDepth = options.parserChecksDepth !== true;
    this.serialize = options.serialize ?? ((data) => JSON.stringify(data));
  }

  /** Signature of the content this adapter last read or wrote (null if none). */
  get signature(): FileSignature | null {
    return this.current;
  }

  /** True when the file on disk is still the one this adapter last read or wrote. One stat. */
  isCurrent(): boolean {
    if (this.current === null) return false;
    return sameFileSignature(this.current, fileSignatureSync(this.file));
  }

  async read(): Promise<T | null> {
    // The read itself is one small synchronous burst; keeping it synchronous makes the signature
    // bookkeeping identical to readSync.
    return this.readSync();
  }

  readSync(): T | null {
    const loaded = loadWithFd(this.file, this.parse, this.checkDepth);
    if (!loaded) {
      this.forget();
      return null;
    }
    this.remember(loaded.signature, loaded.fd);
    return loaded.data;
  }

  async write(data: T): Promise<void> {
    const { parts, verify } = fileImage(this.serialize(data));
    const target = writeTarget(this.file);
    const targetDir = dirname(target);
    const tempPrefix = `.${basename(target)}.`;
    const temp = tempSiblingPath(target, TEMP_SUFFIX);
    let fd: number | null = null;
    let renamed = false;
    try {
      // The temp file is written and synced while `verify` checks the image on this thread: a
      // refused image is unlinked unseen, and a good one does not wait for its check first.
      const synced = writeSynced(temp, this.mode, parts);
      fd = synced.fd;
      try {
        verify?.();
      } catch (err) {
        await synced.done.catch(() => undefined);
        throw new RefusedImage(err);
      }
      const written = await synced.done;
      await closeAsync(fd);
      fd = null;
      await rename(temp, target);
      renamed = true;
      // From here on the new content is what readers see; record it before anything else runs.
      this.rememberWritten(written);
      await fsyncDirectory(targetDir);
    } catch (err) {
      if (fd !== null) await closeAsync(fd).catch(() => undefined);
      if (!renamed) await unlink(temp).catch(() => undefined);
      else this.forget();
      if (err instanceof RefusedImage) throw err.reason;
      throw (
        fileSystemError(err, 'write the vault file', target) ??
        new KMSInternalException(`The vault file ${target} could not be written: ${reason(err)}`, { cause: err })
      );
    }
    removeStaleTempFiles(targetDir, tempPrefix, temp);
  }

  /** Releases the descriptor held on the current content. The adapter stays usable. */
  close(): void {
    this.forget();
  }

  private remember(signature: FileSignature, fd: number): void {
    this.forget();
    this.current = signature;
    if (this.holdOpen) this.heldFd = fd;
    else closeSync(fd);
  }

  /** After a rename: hold the file we just wrote, if it is still the one at the path. */
  private rememberWritten(written: FileSignature): void {
    this.forget();
    if (!this.holdOpen) {
      this.current = written;
      return;
    }
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return;
    }
    if (sameFileSignature(written, signatureOf(fstatSync(fd, { bigint: true })))) this.remember(written, fd);
    else closeSync(fd);
  }

  private forget(): void {
    this.current = null;
    if (this.heldFd !== null) {
      // On the thread pool: after a commit this is the last reference to the replaced file, and the
      // kernel frees its pages (15 MB for 10,000 keys, ~5 ms) inside close().
      close(this.heldFd, () => undefined);
      this.heldFd = null;
    }
  }
}

/**
 * Best effort: removes temp files whose writer process is gone, or which are older than any
 * write could take. A live writer's temp file is left alone.
 */
function removeStaleTempFiles(dir: string, tempPrefix: string, justWritten: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(tempPrefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    const path = join(dir, name);
    if (path === justWritten) continue;
    const pid = Number(name.slice(tempPrefix.length).split('.')[0]);
    try {
      const alive = Number.isSafeInteger(pid) && pid > 0 && (pid === process.pid || isProcessAlive(pid));
      if (alive && now - statSync(path).mtimeMs < STALE_TEMP_AGE_MS) continue;
      unlinkSync(path);
    } catch {
      // vanished or not ours to remove: leave it
    }
  }
}
