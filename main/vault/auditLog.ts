/**
 * Append-only audit log, one JSON object per line in `<vault-dir>/audit.log`. Entries carry
 * metadata only (operation, key and version ids, outcome): never plaintext or key material.
 *
 * - Appends use O_APPEND on one descriptor, so lines from the app and CLI processes interleave whole.
 * - With the vault's audit key, each append is chained to the newest chained line before it
 *   (auditChain.ts): one entry as a chained line, several as a batch closed by one seal line.
 * - Whole lines or none: a short write (a full disk) is cut back off the file, so a half line can
 *   never swallow the next entry. A torn last line left by a crash (or by an older version) is
 *   removed when the log is next opened, with the rest of its unsealed batch, and an entry
 *   records that it was.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import type { AuditEntry } from '../core/api.js';
import type { ChainReport } from './auditChain.js';
import {
  CHAIN_START,
  ChainMac,
  chainOpening,
  cryptoEntryOpening,
  entryOfLine,
  entryOpening,
  lastChainTag,
  sealBatch,
  unsealedTailLength,
  verifyChain,
} from './auditChain.js';

const TAIL_BYTES = 8 * 1024 * 1024;
/** How far back the previous chained line (and a torn tail's start) is looked for. */
const LINK_WINDOW_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const CLOSE_BRACE = 0x7d;
/**
 * Deferred entries written as one sealed batch at most: a batch (~200 bytes a line) stays well
 * inside LINK_WINDOW_BYTES, so the open-time tail check sees whole batches but the first.
 */
const MAX_BATCH = 128;

/**
 * The whole lines of the last `maxBytes` of a log file (a line cut by the window's start is
 * dropped; the last element is whatever follows the final newline, '' when the file ends with one).
 * Null when the file does not exist.
 */
export function readLogTail(file: string, maxBytes: number): { lines: string[]; fromStart: boolean } | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const { lines, start } = tailOf(fd, maxBytes);
    return { lines, fromStart: start === 0 };
  } finally {
    closeSync(fd);
  }
}

function tailOf(fd: number, maxBytes: number): { lines: string[]; start: number; size: number } {
  const size = fstatSync(fd).size;
  const start = Math.max(0, size - maxBytes);
  const buf = Buffer.alloc(size - start);
  readSync(fd, buf, 0, buf.length, start);
  const lines = buf.toString('utf8').split('\n');
  if (start > 0) lines.shift();
  return { lines, start, size };
}

/**
 * Moves an existing log aside (`audit.<time>.log`) so a new chain starts: a restore brings a new
 * root secret, under which the old lines' chain can no longer be checked. Returns the new name.
 */
export function archiveAuditLog(file: string, now: Date): string | null {
  const archived = file.replace(/\.log$/, '') + `.${now.toISOString().replace(/[:.]/g, '-')}.log`;
  try {
    renameSync(file, archived);
    return archived;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export class AuditLog {
  private fd: number | undefined;
  private warned = false;
  /**
   * Entries waiting to be written, as their JSON openings (auditChain.ts): those of high-rate
   * operations (Encrypt, Decrypt, ...) wait for the next turn of the event loop.
   */
  private pending: string[] = [];
  private readonly mac: ChainMac | undefined;
  private flushScheduled = false;
  /** The file size right after this log's last append and that append's tag: skips re-reading the tail. */
  private lastAppend: { size: number; tag: string } | null = null;
  private readonly flushOnExit = () => this.flush();
  /** Where a batch is encoded (reused: a batch is written before the next one is made). */
  private batch = Buffer.alloc(64 * 1024);

  /** Without `chainKey` (no root secret at hand) lines are written unchained. */
  constructor(
    readonly file: string,
    private readonly chainKey?: Buffer,
  ) {
    this.mac = chainKey ? new ChainMac(chainKey) : undefined;
    process.on('exit', this.flushOnExit);
  }

  /**
   * Appends one entry. State changes and rotations are written at once; `deferred` entries (the
   * cryptographic operations, thousands a second) are written together on the next event-loop
   * turn, on close, or at process exit.
   */
  append(entry: AuditEntry, deferred = false): void {
    this.pending.push(entryOpening(entry));
    if (!deferred) this.flush();
    else this.scheduleFlush();
  }

  /** The deferred entry of a successful cryptographic operation (the hot path: no entry object). */
  appendCryptoSuccess(time: string, operation: string, keyId: string, versionId: string): void {
    this.pending.push(cryptoEntryOpening(time, operation, keyId, versionId));
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.pending.length >= MAX_BATCH) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushOnExit);
    }
  }

  /** Opens the log (repairing a torn last line). Called by the first append; openVault calls it early. */
  open(): void {
    this.openDescriptor();
  }

  /** The chain check of the log's newest lines (those the next appends link to); null without a log or a key. */
  checkTail(): ChainReport | null {
    if (!this.chainKey) return null;
    const tail = readLogTail(this.file, LINK_WINDOW_BYTES);
    if (!tail) return null;
    return verifyChain(tail.lines, this.chainKey, tail.fromStart);
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    try {
      const fd = this.openDescriptor();
      this.appendWhole(fd, entries);
    } catch (err) {
      // The operation itself already happened; losing an audit line must not turn it into a failure.
      if (!this.warned) {
        this.warned = true;
        process.emitWarning(`Key Vault could not write its audit log ${this.file}: ${(err as Error).message}`);
      }
    }
  }

  /** Newest first, from the last 8 MiB of the log. */
  read(filter: { KeyId?: string; Limit?: number } = {}): AuditEntry[] {
    this.flush();
    const limit = filter.Limit ?? 500;
    const tail = readLogTail(this.file, TAIL_BYTES);
    if (!tail) return [];
    const out: AuditEntry[] = [];
    for (let i = tail.lines.length - 1; i >= 0 && out.length < limit; i--) {
      const line = tail.lines[i];
      if (!line) continue;
      const entry = entryOfLine(line);
      if (!entry) continue; // a torn last line after a crash
      if (filter.KeyId && entry.KeyId !== filter.KeyId) continue;
      out.push(entry);
    }
    return out;
  }

  close(): void {
    this.flush();
    process.off('exit', this.flushOnExit);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private openDescriptor(): number {
    if (this.fd !== undefined) return this.fd;
    const fd = openSync(this.file, 'a+', 0o600);
    this.fd = fd;
    const removed = this.cutTornTail(fd);
    if (removed > 0) {
      this.pending.unshift(
        entryOpening({
          Time: new Date().toISOString(),
          Operation: 'RepairAuditLog',
          Outcome: 'Success',
          Detail: `removed ${removed} bytes of an incomplete last line and of the unsealed lines of its batch (a write was cut short by a crash or a full disk)`,
        }),
      );
    }
    return fd;
  }

  /** Truncates a last line that has no newline; returns how many bytes were removed. */
  private cutTornTail(fd: number): number {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] === NEWLINE) return 0;
    const start = Math.max(0, size - LINK_WINDOW_BYTES);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    const nl = buf.lastIndexOf(NEWLINE);
    if (nl < 0 && start > 0) return 0; // a "line" longer than the window is not ours to cut
    const keep = this.unsealedBatchStart(buf, nl < 0 ? 0 : nl + 1, start);
    ftruncateSync(fd, keep);
    return size - keep;
  }

  /**
   * Where the write that was torn began: the whole lines before the torn one that no Mac covers
   * yet belong to the same unfinished batch (its seal was to come last), so they go too. `end` is
   * the torn line's offset in `buf`, which starts at file offset `start`. Without a chain key, or
   * without a chained line in the window, only the torn line is cut.
   */
  private unsealedBatchStart(buf: Buffer, end: number, start: number): number {
    if (!this.chainKey || end === 0) return start + end;
    const lines = buf.toString('utf8', 0, end).split('\n');
    lines.pop(); // '' after the last newline
    let cut = end;
    for (let i = lines.length - unsealedTailLength(lines); i < lines.length; i++) cut -= Buffer.byteLength(lines[i]!) + 1;
    return start + cut;
  }

  /** The tag to chain the next line to: the newest chained line in the file. */
  private previousTag(fd: number): string {
    const size = fstatSync(fd).size;
    if (this.lastAppend && this.lastAppend.size === size) return this.lastAppend.tag;
    return lastChainTag(tailOf(fd, LINK_WINDOW_BYTES).lines) ?? CHAIN_START;
  }

  private appendWhole(fd: number, entries: string[]): void {
    let bytes: Buffer;
    let tag: string | null = null;
    if (this.mac && entries.length === 1) {
      const chained = chainOpening(this.mac, entries[0]!, this.previousTag(fd));
      bytes = Buffer.from(`${chained.line}\n`, 'utf8');
      tag = chained.tag;
    } else {
      // Several entries: plain lines and one seal over their bytes (one keyed hash per batch),
      // encoded once into a reused buffer.
      let n = 0;
      for (const opening of entries) {
        n = this.room(n, opening.length * 3 + 2);
        n += this.batch.write(opening, n, 'utf8');
        this.batch[n++] = CLOSE_BRACE;
        this.batch[n++] = NEWLINE;
      }
      if (this.mac) {
        const seal = sealBatch(this.mac, this.batch.subarray(0, n), entries.length, this.previousTag(fd));
        n = this.room(n, seal.line.length + 1);
        n += this.batch.write(`${seal.line}\n`, n, 'latin1');
        tag = seal.tag;
      }
      bytes = this.batch.subarray(0, n);
    }
    // A second attempt only after the first one's partial bytes were cut back off.
    if (!this.writeOrUndo(fd, bytes) && !this.writeOrUndo(fd, bytes)) {
      throw new Error(`only part of ${entries.length} audit entr${entries.length === 1 ? 'y' : 'ies'} could be written (is the disk full?); none were kept`);
    }
    this.lastAppend = tag === null ? null : { size: fstatSync(fd).size, tag };
  }

  /** Makes room for `more` bytes after the first `used` of the batch buffer; returns `used`. */
  private room(used: number, more: number): number {
    if (used + more > this.batch.length) {
      const bigger = Buffer.alloc(Math.max(2 * this.batch.length, used + more));
      this.batch.copy(bigger, 0, 0, used);
      this.batch = bigger;
    }
    return used;
  }

  /** One write of all the bytes; a short write is truncated away again and reported as false. */
  private writeOrUndo(fd: number, bytes: Buffer): boolean {
    let written: number;
    try {
      written = writeSync(fd, bytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return false;
      throw err;
    }
    if (written === bytes.length) return true;
    // O_APPEND put our bytes at the end; cut them off if they are still the last thing in the file.
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(written);
    if (written > 0 && size >= written) readSync(fd, tail, 0, written, size - written);
    if (written > 0 && tail.equals(bytes.subarray(0, written))) ftruncateSync(fd, size - written);
    this.lastAppend = null;
    return false;
  }
}
