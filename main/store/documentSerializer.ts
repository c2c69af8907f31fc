/**
 * Serializes the vault document for a commit without re-stringifying every key each time.
 *
 * A 10,000-key vault is ~15 MB of JSON; stringifying it whole costs ~100 ms, most of a commit. The
 * serializer keeps each key's JSON from the last commit and reuses it when that key's record was
 * not touched. Touching is observed, not declared: during a transaction the document's `Keys` map
 * is replaced by a proxy that marks every key it hands out, stores or deletes, and marks all keys
 * when the map is enumerated. A record reached any other way is a new object (identity check), so
 * it is stringified afresh.
 *
 * The file inventory (`Files`, up to 10,000 records) is cached by identity: its records are values,
 * replaced whole on every change (core/fileInventory.ts), and the serializer freezes each one it
 * caches, so an in-place edit throws instead of being lost. During a transaction the map is
 * behind a proxy that only notes stores and deletes (reads and enumeration stay free), so a commit
 * that did not touch the inventory reuses its section without walking 10,000 entries: a walk of
 * the map alone costs about a millisecond, a large share of a commit. Changes to the inventory
 * must therefore be made inside a transaction, as every write of the vault is; a new map object
 * (a reload, `Files` replaced) is always walked.
 * Everything else (aliases, recovery data) is always fresh.
 */
import type { FileInventoryRecord } from '../core/fileInventory.js';
import type { KeyRecord } from '../core/keyModel.js';
import type { VaultDocument } from './vaultDocument.js';

interface Cached<R> {
  record: R;
  /** UTF-8 of `"<id>":<record JSON>`, ready to be copied into the file image. */
  bytes: Buffer;
}

const OPEN_KEYS = Buffer.from('"Keys":{');
const OPEN_FILES = Buffer.from(',"Files":{');
const COMMA = Buffer.from(',');
const CLOSE_MAP = Buffer.from('}');
const CLOSE = Buffer.from('}');

function entryBytes(id: string, record: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(id)}:${JSON.stringify(record)}`);
}

/** Drops cached entries whose id is no longer in the map (only when the map shrank or changed). */
function prune<R>(cache: Map<string, Cached<R>>, map: Record<string, R>, count: number): void {
  if (cache.size > count) for (const id of cache.keys()) if (!(id in map)) cache.delete(id);
}

export class DocumentSerializer {
  private readonly cache = new Map<string, Cached<KeyRecord>>();
  private readonly fileCache = new Map<string, Cached<FileInventoryRecord>>();
  /** The paths of the last serialized inventory, in order, and its section's bytes. */
  private fileOrder: string[] = [];
  private fileSection: Buffer | null = null;
  /** The map the section was made from, and whether a transaction stored or deleted in it since. */
  private fileSource: Record<string, FileInventoryRecord> | null = null;
  private filesTouched = false;
  private dirty = new Set<string>();
  private allDirty = false;

  /**
   * Runs `fn` with `doc.Keys` observed. Returns fn's result; `doc.Keys` is the plain map again
   * afterwards (also when fn throws).
   */
  observe<T>(doc: VaultDocument, fn: (doc: VaultDocument) => T): T {
    const keys = doc.Keys;
    const mark = (p: string | symbol) => {
      if (typeof p === 'string') this.dirty.add(p);
    };
    const files = doc.Files;
    const observedFiles = files === undefined ? undefined : this.observeFiles(files);
    if (observedFiles !== undefined) doc.Files = observedFiles;
    doc.Keys = new Proxy(keys, {
      get: (target, p, receiver) => {
        mark(p);
        return Reflect.get(target, p, receiver);
      },
      set: (target, p, value, receiver) => {
        mark(p);
        return Reflect.set(target, p, value, receiver);
      },
      deleteProperty: (target, p) => {
        mark(p);
        return Reflect.deleteProperty(target, p);
      },
      defineProperty: (target, p, attributes) => {
        mark(p);
        return Reflect.defineProperty(target, p, attributes);
      },
      getOwnPropertyDescriptor: (target, p) => {
        mark(p);
        return Reflect.getOwnPropertyDescriptor(target, p);
      },
      ownKeys: (target) => {
        this.allDirty = true;
        return Reflect.ownKeys(target);
      },
    });
    try {
      return fn(doc);
    } finally {
      doc.Keys = keys;
      if (observedFiles !== undefined && doc.Files === observedFiles) doc.Files = files;
    }
  }

  /** The inventory behind a proxy that notes any store or delete (nothing else costs a trap). */
  private observeFiles(files: Record<string, FileInventoryRecord>): Record<string, FileInventoryRecord> {
    const touch = (): void => {
      this.filesTouched = true;
    };
    return new Proxy(files, {
      set: (target, p, value) => {
        touch();
        return Reflect.set(target, p, value);
      },
      deleteProperty: (target, p) => {
        touch();
        return Reflect.deleteProperty(target, p);
      },
      defineProperty: (target, p, attributes) => {
        touch();
        return Reflect.defineProperty(target, p, attributes);
      },
    });
  }

  /**
   * How many records `files` holds, counting at most `limit` + 1 of them. Free when it is the map
   * of the last commit and no transaction has changed it since.
   */
  countFilesAtMost(files: Record<string, FileInventoryRecord> | undefined, limit: number): number {
    if (files === undefined) return 0;
    if (this.sectionIsCurrent(files)) return Math.min(this.fileOrder.length, limit + 1);
    let n = 0;
    for (const _ in files) if (++n > limit) break;
    return n;
  }

  private sectionIsCurrent(files: Record<string, FileInventoryRecord>): boolean {
    return this.fileSection !== null && files === this.fileSource && !this.filesTouched;
  }

  /**
   * The document as UTF-8 JSON, equal (as JSON) to JSON.stringify(doc). Unchanged keys are copied
   * from their cached bytes: no re-stringifying, no re-encoding.
   */
  serialize(doc: VaultDocument): Buffer {
    return Buffer.concat(this.serializeParts(doc));
  }

  /** The same bytes as serialize(), as consecutive buffers (sealed with a MAC without an extra copy). */
  serializeParts(doc: VaultDocument): Buffer[] {
    const { Keys: keys, Files: files, ...rest } = doc;
    const head = JSON.stringify(rest);
    const parts: Buffer[] = [Buffer.from(head === '{}' ? '{' : `${head.slice(0, -1)},`), OPEN_KEYS];
    let first = true;
    let count = 0;
    for (const id in keys) {
      const record = keys[id]!;
      count++;
      let cached = this.cache.get(id);
      if (!cached || cached.record !== record || this.allDirty || this.dirty.has(id)) {
        cached = { record, bytes: entryBytes(id, record) };
        this.cache.set(id, cached);
      }
      if (!first) parts.push(COMMA);
      parts.push(cached.bytes);
      first = false;
    }
    prune(this.cache, keys, count);
    parts.push(CLOSE_MAP);
    if (files !== undefined) this.fileParts(files, parts);
    else this.forgetFiles();
    parts.push(CLOSE);
    this.dirty = new Set();
    this.allDirty = false;
    return parts;
  }

  /**
   * The `"Files":{...}` section. When every record is the cached one, in the same order, the
   * section is the previous commit's bytes as one buffer: no 10,000-part copy, no allocation.
   */
  private fileParts(files: Record<string, FileInventoryRecord>, parts: Buffer[]): void {
    if (this.sectionIsCurrent(files)) {
      parts.push(this.fileSection!);
      return;
    }
    const order = this.fileOrder;
    const entries: Buffer[] = [];
    let unchanged = this.fileSection !== null;
    let count = 0;
    for (const path in files) {
      const record = files[path]!;
      let cached = this.fileCache.get(path);
      if (!cached || cached.record !== record) {
        cached = { record: Object.freeze(record), bytes: entryBytes(path, record) };
        this.fileCache.set(path, cached);
        unchanged = false;
      } else if (order[count] !== path) unchanged = false;
      if (count > 0) entries.push(COMMA);
      entries.push(cached.bytes);
      count++;
    }
    if (!unchanged || count !== order.length) {
      prune(this.fileCache, files, count);
      this.fileOrder = Object.keys(files);
      this.fileSection = Buffer.concat([OPEN_FILES, ...entries, CLOSE_MAP]);
    }
    this.fileSource = files;
    this.filesTouched = false;
    parts.push(this.fileSection!);
  }

  private forgetFiles(): void {
    this.fileCache.clear();
    this.fileOrder = [];
    this.fileSection = null;
    this.fileSource = null;
    this.filesTouched = false;
  }

  /** Forget everything (after a reload from disk the records are new objects anyway). */
  reset(): void {
    this.cache.clear();
    this.forgetFiles();
    this.dirty = new Set();
    this.allDirty = false;
  }
}
