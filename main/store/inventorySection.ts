/**
 * The `"Files":{...}` section of the vault document, kept from commit to commit (the serializer's
 * part for the file inventory, up to 10,000 records).
 *
 * Records are values, replaced whole on every change (core/fileInventory.ts); each one cached is
 * frozen, so an in-place edit throws instead of being lost. During a transaction the map is behind
 * a proxy that notes stores and deletes and nothing else (reads and enumeration cost no trap), so:
 * - a commit that did not touch the inventory reuses the section as it is, without walking the
 *   map (a walk of 10,000 entries alone costs about a millisecond, a large share of a commit);
 * - one that only replaced records (re-encrypt-files) re-encodes just those and splices them in;
 * - anything else (records added or deleted, a new map after a reload or a replaced `Files`) walks
 *   the map, reusing each record's bytes by identity.
 * Changes to the inventory must therefore be made inside a transaction, as every vault write is.
 */
import type { FileInventoryRecord } from '../core/fileInventory.js';

type FileMap = Record<string, FileInventoryRecord>;
type RecordCheck = (path: string, record: FileInventoryRecord) => void;

interface Entry {
  record: FileInventoryRecord;
  /** UTF-8 of `"<path>":<record JSON>`. */
  bytes: Buffer;
  /** Its place in the section's order, and where its bytes start in the section. */
  index: number;
  offset: number;
}

const OPEN = Buffer.from(',"Files":{');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from('}');

function entryBytes(path: string, record: FileInventoryRecord): Buffer {
  return Buffer.from(`${JSON.stringify(path)}:${JSON.stringify(record)}`);
}

function joinSection(entries: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [OPEN];
  entries.forEach((e, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(e);
  });
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

export class InventorySection {
  private cache = new Map<string, Entry>();
  /** Each record's bytes, in the map's order. */
  private entries: Buffer[] = [];
  private section: Buffer | null = null;
  /** The map the section was made from. */
  private source: FileMap | null = null;
  /** Paths whose record a transaction replaced since; `reshaped`: one added or deleted a path. */
  private replaced = new Set<string>();
  private reshaped = false;

  /** `files` behind a proxy that notes every store and delete. */
  observe(files: FileMap): FileMap {
    const store = (target: FileMap, p: string | symbol): void => {
      if (target === this.source && typeof p === 'string' && Object.prototype.hasOwnProperty.call(target, p)) this.replaced.add(p);
      else this.reshaped = true;
    };
    return new Proxy(files, {
      set: (target, p, value) => {
        store(target, p);
        return Reflect.set(target, p, value);
      },
      defineProperty: (target, p, attributes) => {
        store(target, p);
        return Reflect.defineProperty(target, p, attributes);
      },
      deleteProperty: (target, p) => {
        this.reshaped = true;
        return Reflect.deleteProperty(target, p);
      },
    });
  }

  /** Whether `files` is the map of the last section, unchanged since. */
  isCurrent(files: FileMap): boolean {
    return this.section !== null && files === this.source && !this.reshaped && this.replaced.size === 0;
  }

  /** How many records `files` holds, counting at most `limit` + 1 (free when it is current). */
  countAtMost(files: FileMap, limit: number): number {
    if (this.section !== null && files === this.source && !this.reshaped) return Math.min(this.entries.length, limit + 1);
    let n = 0;
    for (const _ in files) if (++n > limit) break;
    return n;
  }

  /** The section's bytes for `files`; `check` sees each record encoded afresh first. */
  bytes(files: FileMap, check?: RecordCheck): Buffer {
    if (this.section === null || files !== this.source || this.reshaped) this.rebuild(files, check);
    else if (this.replaced.size > 0) this.splice(files, check);
    this.replaced.clear();
    this.reshaped = false;
    this.source = files;
    return this.section!;
  }

  forget(): void {
    this.cache = new Map();
    this.entries = [];
    this.section = null;
    this.source = null;
    this.replaced.clear();
    this.reshaped = false;
  }

  /**
   * Only records were replaced: re-encode those. A record of the same encoded length (a rewrap
   * changes a version id, a digest and a date, all of fixed length) is written over its old bytes
   * in the section, which no one else holds (the last commit's write is over when the next commit
   * serializes); otherwise the section is joined anew from the entries.
   */
  private splice(files: FileMap, check: RecordCheck | undefined): void {
    let inPlace = true;
    for (const path of this.replaced) {
      const entry = this.cache.get(path);
      const record = files[path];
      if (!entry || !record) return this.rebuild(files, check);
      if (entry.record === record) continue;
      check?.(path, record);
      entry.record = Object.freeze(record);
      const bytes = entryBytes(path, record);
      if (inPlace && bytes.length === entry.bytes.length) bytes.copy(this.section!, entry.offset);
      else inPlace = false;
      entry.bytes = bytes;
      this.entries[entry.index] = bytes;
    }
    if (!inPlace) this.join();
  }

  private rebuild(files: FileMap, check: RecordCheck | undefined): void {
    const cache = new Map<string, Entry>();
    const entries: Buffer[] = [];
    for (const path in files) {
      const record = files[path]!;
      const old = this.cache.get(path);
      let bytes = old?.record === record ? old.bytes : undefined;
      if (bytes === undefined) {
        check?.(path, record);
        bytes = entryBytes(path, Object.freeze(record));
      }
      cache.set(path, { record, bytes, index: entries.length, offset: 0 });
      entries.push(bytes);
    }
    this.cache = cache;
    this.entries = entries;
    this.join();
  }

  /** The section from the entries; each entry's bytes become a view of it (one copy of each, not two). */
  private join(): void {
    const section = joinSection(this.entries);
    let at = OPEN.length;
    for (const entry of this.cache.values()) {
      const length = entry.bytes.length;
      entry.offset = at + entry.index; // one comma before every entry but the first
      entry.bytes = section.subarray(entry.offset, entry.offset + length);
      this.entries[entry.index] = entry.bytes;
      at += length;
    }
    this.section = section;
  }
}
