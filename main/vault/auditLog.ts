/**
 * Append-only audit log, one JSON object per line in `<vault-dir>/audit.log`. Entries carry
 * metadata only (operation, key and version ids, outcome): never plaintext or key material.
 * Appends use O_APPEND on one descriptor, so lines from the app and CLI processes interleave whole.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { AuditEntry } from '../core/api.js';

const TAIL_BYTES = 8 * 1024 * 1024;

/**
 * The whole lines of the last `maxBytes` of a log file (a line cut by the window's start is
 * dropped; the last element is whatever follows the final newline, '' when the file ends with one).
 * Null when the file does not exist.
 */
export function readLogTail(file: string, maxBytes: number): { lines: string[] } | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    if (start > 0) lines.shift();
    return { lines };
  } finally {
    closeSync(fd);
  }
}

export class AuditLog {
  private fd: number | undefined;
  private warned = false;
  /** Lines of high-rate operations (Encrypt, Decrypt, ...) waiting for the next turn of the event loop. */
  private pending: string[] = [];
  private flushScheduled = false;
  private readonly flushOnExit = () => this.flush();

  constructor(readonly file: string) {
    process.on('exit', this.flushOnExit);
  }

  /**
   * Appends one entry. State changes and rotations are written at once; `deferred` entries (the
   * cryptographic operations, thousands a second) are written together on the next event-loop
   * turn, on close, or at process exit.
   */
  append(entry: AuditEntry, deferred = false): void {
    this.pending.push(JSON.stringify(entry) + '\n');
    if (!deferred || this.pending.length >= 512) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    try {
      this.fd ??= openSync(this.file, 'a', 0o600);
      writeSync(this.fd, text);
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
      let entry: AuditEntry;
      try {
        entry = JSON.parse(line) as AuditEntry;
      } catch {
        continue; // a torn last line after a crash
      }
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
}
