/**
 * The audit log's keyed hash chain. Each line is the entry's JSON with two more members at its end:
 * `Prev`, the tag of the last chained line in the file when it was appended ('-' for the first),
 * and `Mac`, HMAC-SHA256 (under the root secret's audit key, truncated to 128 bits) of the line
 * without its `Mac` member. Editing a line breaks its Mac; deleting or moving a line leaves a later
 * line pointing at a tag that is not before it.
 *
 * The app and CLI processes append to one file without a shared lock, so two processes can chain
 * to the same previous line (a fork). Verification therefore asks only that every `Prev` names a
 * line earlier in the file, not the line just before. What the chain cannot show: the removal of
 * the newest lines (nothing points at them yet), or of one of two forked siblings.
 *
 * Sealed batches (format 2, written since the hot path batched its lines): an append of several
 * entries writes them as plain entry lines followed by one seal line `{"Sealed":n,"Prev":..,"Mac":..}`
 * whose Mac covers the exact bytes of the n lines before it (newlines included) and the seal's own
 * members, so one keyed hash authenticates a whole batch. The batch and its seal go out in one
 * O_APPEND write, so they are contiguous even when two processes append. Seals and chained lines
 * share one tag space: either may name the other as `Prev`. Single-entry appends stay format 1.
 */
import { createHash, hash } from 'node:crypto';
import type { AuditEntry } from '../core/api.js';

export const CHAIN_START = '-';
const TAG_CHARS = 22; // base64url of 16 bytes
const MAC_HEAD = ',"Mac":"';
const MAC_SUFFIX_CHARS = MAC_HEAD.length + TAG_CHARS + 2;
/** A fresh log may see this many chained lines (concurrent first appends) start a chain. */
const STARTS_TOLERATED = 16;
/** When only the tail of a log is checked, its first lines may point before the window. */
const WINDOW_GRACE_LINES = 64;

const SHA256_BLOCK = 64;

/**
 * HMAC-SHA256 truncated to 128 bits, computed as two one-shot hashes over pre-padded keys: the
 * same tags as createHmac, at about half the cost (an Hmac object per line was ~10 % of an
 * Encrypt+Decrypt pair). The body is written into a reused buffer after the inner pad.
 */
export class ChainMac {
  private inner: Buffer;
  private readonly outer = Buffer.alloc(SHA256_BLOCK + 32);

  constructor(key: Buffer) {
    const k = key.length > SHA256_BLOCK ? createHash('sha256').update(key).digest() : key;
    this.inner = Buffer.alloc(SHA256_BLOCK + 1024, 0x36);
    this.outer.fill(0x5c, 0, SHA256_BLOCK);
    for (let i = 0; i < k.length; i++) {
      this.inner[i] = 0x36 ^ k[i]!;
      this.outer[i] = 0x5c ^ k[i]!;
    }
  }

  /** A view of `inner` of the last length used: lines of one shape share it (no view per line). */
  private view: Buffer = Buffer.alloc(0);

  tag(body: string): string {
    if (SHA256_BLOCK + body.length * 3 > this.inner.length) {
      const bigger = Buffer.alloc(SHA256_BLOCK + body.length * 3);
      this.inner.copy(bigger, 0, 0, SHA256_BLOCK);
      this.inner = bigger;
    }
    const n = SHA256_BLOCK + this.inner.write(body, SHA256_BLOCK, 'utf8');
    if (this.view.length !== n || this.view.buffer !== this.inner.buffer) this.view = this.inner.subarray(0, n);
    return this.outerTag(hash('sha256', this.view, 'binary'));
  }

  /** The same tag for `body` (already encoded, a whole batch) followed by `tail`: hashed in place, not copied. */
  tagBytes(body: Buffer, tail: string): string {
    const inner = createHash('sha256').update(this.inner.subarray(0, SHA256_BLOCK)).update(body).update(tail, 'utf8');
    return this.outerTag(inner.digest('binary'));
  }

  private outerTag(innerDigest: string): string {
    // The inner digest goes straight into the outer block as latin1 text (one byte per char).
    this.outer.write(innerDigest, SHA256_BLOCK, 'latin1');
    const full = hash('sha256', this.outer, 'base64url');
    // base64url of the first 16 bytes: 21 whole characters, then the 22nd holds only 2 bits.
    return full.slice(0, TAG_CHARS - 1) + B64URL[B64URL.indexOf(full[TAG_CHARS - 1]!) & 0x30]!;
  }
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * An entry's JSON without its closing brace, the form the chain members are appended to. Entries
 * always have a Time, so the text is never a bare '{'.
 */
export function entryOpening(entry: AuditEntry): string {
  return JSON.stringify(entry).slice(0, -1);
}

/**
 * The opening of a successful cryptographic operation's entry, built by hand: thousands a second,
 * and every field is known to need no escaping (an ISO time, a fixed operation name, and key and
 * version ids that the document schema holds to the UUID form). Same text as entryOpening().
 */
export function cryptoEntryOpening(time: string, operation: string, keyId: string, versionId: string): string {
  return `{"Time":"${time}","Operation":"${operation}","KeyId":"${keyId}","KeyVersionId":"${versionId}","Outcome":"Success"`;
}

/** One chained line (without its newline) from an entry's opening, and its tag. */
export function chainOpening(mac: ChainMac, opening: string, prev: string): { line: string; tag: string } {
  const head = `${opening},"Prev":"${prev}"`;
  const tag = mac.tag(`${head}}`);
  return { line: `${head}${MAC_HEAD}${tag}"}`, tag };
}

/**
 * The seal of a batch: `covered` is the batch's lines, each with its newline, exactly as written
 * just before the seal. Returns the seal line (without its newline) and its tag.
 */
export function sealBatch(mac: ChainMac, covered: Buffer, count: number, prev: string): { line: string; tag: string } {
  const head = `{"Sealed":${count},"Prev":"${prev}"`;
  const tag = mac.tagBytes(covered, `${head}}`);
  return { line: `${head}${MAC_HEAD}${tag}"}`, tag };
}

/** One chained line (without its newline) and its tag. */
export function chainLine(key: Buffer, entry: AuditEntry, prev: string): { line: string; tag: string } {
  return chainOpening(new ChainMac(key), entryOpening(entry), prev);
}

/** Whether a line ends in a chain tag (a chained entry or a seal). */
export function hasChainTag(line: string): boolean {
  return line.endsWith('"}') && line.length >= MAC_SUFFIX_CHARS && line.startsWith(MAC_HEAD, line.length - MAC_SUFFIX_CHARS);
}

/**
 * How many whole lines at the end of `lines` carry no Mac while an earlier line does: before a torn
 * last line, the rest of the batch it belonged to (its seal was to come last). The next open cuts
 * them together with the torn line.
 */
export function unsealedTailLength(lines: readonly string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (hasChainTag(lines[i]!)) return lines.length - 1 - i;
  return 0;
}

/** The Mac of the newest chained line or seal among `lines` (oldest first), or null when there is none. */
export function lastChainTag(lines: readonly string[]): string | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (hasChainTag(line)) return line.slice(line.length - TAG_CHARS - 2, -2);
  }
  return null;
}

/** The entry of a line without its chain members, or null when the line is not an audit entry. */
export function entryOfLine(line: string): AuditEntry | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { Operation?: unknown }).Operation !== 'string') return null;
  const { Prev: _prev, Mac: _mac, ...entry } = parsed as AuditEntry & { Prev?: unknown; Mac?: unknown };
  return entry;
}

export interface ChainReport {
  /** Lines that are not audit entries at all. */
  malformed: number;
  /** Chained lines whose Mac does not match (edited). */
  altered: number;
  /** Chained lines pointing at a line that is not before them (deleted or reordered lines). */
  unlinked: number;
  /** Lines without a chain after the chain began (inserted by something else). */
  unchained: number;
  /** Lines without a chain before the chain began (written before the chain existed). */
  legacy: number;
}

/**
 * Checks a log's lines, oldest first. `fromStart` says whether they begin at the start of the file;
 * without `key` only the links are checked, not the Macs. Lines without a Mac wait for the seal
 * that may follow them; those no seal covers are inserted (or, before the chain began, legacy).
 */
export function verifyChain(lines: readonly string[], key: Buffer | undefined, fromStart: boolean): ChainReport {
  const report: ChainReport = { malformed: 0, altered: 0, unlinked: 0, unchained: 0, legacy: 0 };
  const mac = key ? new ChainMac(key) : undefined;
  const seen = new Set<string>();
  let chained = 0;
  let index = 0;
  /** Entry lines without a Mac since the last chained line or seal (contiguous). */
  let unsealed: string[] = [];
  const settle = (count: number): void => {
    if (chained > 0) report.unchained += count;
    else report.legacy += count;
  };
  /** `first`: the index of the first line the tag covers (a seal covers its batch). */
  const link = (prev: string, tag: string, first: number): void => {
    const linked = prev === CHAIN_START ? chained < STARTS_TOLERATED : seen.has(prev) || (!fromStart && first <= WINDOW_GRACE_LINES);
    if (!linked) report.unlinked++;
    seen.add(tag);
    chained++;
  };
  for (const line of lines) {
    if (line === '') continue;
    index++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const o = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    if (o && o.Operation === undefined && o.Sealed !== undefined) {
      const count = o.Sealed;
      const tag = lastChainTag([line]);
      if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || tag === null || tag !== o.Mac || typeof o.Prev !== 'string') {
        report.altered++;
        continue;
      }
      if (unsealed.length < count) {
        // A tail window may begin inside the first batch it sees: its Mac cannot be checked here.
        const cutByWindow = !fromStart && chained === 0;
        if (!cutByWindow) report.altered += Math.max(1, unsealed.length);
        unsealed = [];
        if (cutByWindow) link(o.Prev, tag, 0);
        continue;
      }
      settle(unsealed.length - count);
      const covered = unsealed.slice(unsealed.length - count);
      unsealed = [];
      if (mac && mac.tag(`${covered.join('\n')}\n${line.slice(0, -MAC_SUFFIX_CHARS)}}`) !== tag) {
        report.altered += count;
        continue;
      }
      link(o.Prev, tag, index - count);
      continue;
    }
    if (!o || typeof o.Operation !== 'string') {
      report.malformed++;
      continue;
    }
    if (o.Mac === undefined) {
      unsealed.push(line);
      continue;
    }
    settle(unsealed.length);
    unsealed = [];
    const tag = lastChainTag([line]);
    if (tag === null || tag !== o.Mac || typeof o.Prev !== 'string') {
      report.altered++;
      continue;
    }
    if (mac && mac.tag(`${line.slice(0, -MAC_SUFFIX_CHARS)}}`) !== tag) {
      report.altered++;
      continue;
    }
    link(o.Prev, tag, index);
  }
  settle(unsealed.length);
  return report;
}
