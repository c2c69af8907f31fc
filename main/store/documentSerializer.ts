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
 * The output is compact JSON except that each entry of `Keys` stands on a line of its own. That
 * lets a new process, whose cache is empty, take the bytes of every key it did not touch from the
 * file it loaded (loadedKeyEntries.ts) instead of encoding 15 MB again.
 *
 * The file inventory (`Files`) has a section of its own, kept the same way (inventorySection.ts).
 * Everything else (aliases, recovery data) is always fresh.
 */
import type { FileInventoryRecord } from '../core/fileInventory.js';
import type { KeyRecord } from '../core/keyModel.js';
import { InventorySection } from './inventorySection.js';
import { LoadedKeyEntries } from './loadedKeyEntries.js';
import type { VaultDocument } from './vaultDocument.js';

/** Sees each record a commit encodes afresh, to check it (the others are bytes of records checked before). */
export interface FreshRecordCheck {
  key(id: string, record: KeyRecord): void;
  file(path: string, record: FileInventoryRecord): void;
}

interface Cached<R> {
  record: R;
  /** UTF-8 of `"<id>":<record JSON>`, ready to be copied into the file image. */
  bytes: Buffer;
}

const OPEN_KEYS = Buffer.from('"Keys":{');
const FIRST_LINE = Buffer.from('\n');
const NEXT_LINE = Buffer.from(',\n');
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CLOSE_LINES = Buffer.from('\n}');
const CLOSE_MAP = Buffer.from('}');
const CLOSE = Buffer.from('}');

/**
 * The Keys entries as parts, one line each. Entries that are neighbours in the loaded file (it
 * holds them with the same `,\n` between) go out as one view of it: a commit after a load is a few
 * large parts, not 20,000 small ones, to seal and write.
 */
class EntryRuns {
  private run: Buffer | null = null;
  private first = true;

  /** Whether no entry was added. */
  get empty(): boolean {
    return this.first;
  }

  constructor(
    private readonly parts: Buffer[],
    private readonly source: Buffer | null,
  ) {}

  add(entry: Buffer): void {
    const run = this.run;
    if (run !== null && this.follows(run, entry)) {
      this.run = Buffer.from(run.buffer, run.byteOffset, run.length + 2 + entry.length);
      return;
    }
    this.end();
    this.parts.push(this.first ? FIRST_LINE : NEXT_LINE);
    this.first = false;
    this.run = entry;
  }

  end(): void {
    if (this.run !== null) this.parts.push(this.run);
    this.run = null;
  }

  /** Whether `entry` starts two bytes after `run` ends, both inside the source file, with `,\n` between. */
  private follows(run: Buffer, entry: Buffer): boolean {
    const src = this.source;
    if (src === null || run.buffer !== src.buffer || entry.buffer !== src.buffer) return false;
    const gap = run.byteOffset + run.length - src.byteOffset; // the gap's place in the source
    return (
      entry.byteOffset === src.byteOffset + gap + 2 &&
      run.byteOffset >= src.byteOffset &&
      entry.byteOffset + entry.length <= src.byteOffset + src.length &&
      src[gap] === COMMA &&
      src[gap + 1] === NEWLINE
    );
  }
}

/** Drops cached entries whose id is no longer in the map (only when the map shrank or changed). */
function prune<R>(cache: Map<string, Cached<R>>, map: Record<string, R>, count: number): void {
  if (cache.size > count) for (const id of cache.keys()) if (!(id in map)) cache.delete(id);
}

export class DocumentSerializer {
  private readonly cache = new Map<string, Cached<KeyRecord>>();
  private readonly files = new InventorySection();
  private dirty = new Set<string>();
  private allDirty = false;
  /** Keys a transaction added to the map, or deleted from it, since the last commit. */
  private added = new Set<string>();
  private deleted = new Set<string>();
  /** The file of the last load (MAC verified), until a commit has taken every key it keeps from it. */
  private loaded: Buffer | null = null;
  /** The file the cached entries of that load are views into, while any may be. */
  private source: Buffer | null = null;

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
    const observedFiles = files === undefined ? undefined : this.files.observe(files);
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
        if (typeof p === 'string' && Object.prototype.hasOwnProperty.call(target, p)) this.deleted.add(p);
        return Reflect.deleteProperty(target, p);
      },
      defineProperty: (target, p, attributes) => {
        mark(p);
        if (typeof p === 'string' && !Object.prototype.hasOwnProperty.call(target, p)) this.added.add(p);
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

  /** How many records `files` holds, counting at most `limit` + 1 (free when no transaction changed it). */
  countFilesAtMost(files: VaultDocument['Files'], limit: number): number {
    return files === undefined ? 0 : this.files.countAtMost(files, limit);
  }

  /**
   * The document as UTF-8 JSON: JSON.stringify(doc) with a line break before each entry of `Keys`
   * and before its closing brace. Unchanged keys are copied from their cached bytes: no
   * re-stringifying, no re-encoding.
   */
  serialize(doc: VaultDocument): Buffer {
    return Buffer.concat(this.serializeParts(doc));
  }

  /**
   * The same bytes as serialize(), as consecutive buffers (sealed with a MAC without an extra copy).
   * `check` sees every record encoded afresh before its bytes are used; if it throws, nothing is
   * kept from this call (the next one encodes every record).
   */
  serializeParts(doc: VaultDocument, check?: FreshRecordCheck): Buffer[] {
    try {
      return this.parts(doc, check);
    } catch (err) {
      this.reset();
      throw err;
    }
  }

  private parts(doc: VaultDocument, check: FreshRecordCheck | undefined): Buffer[] {
    const { Keys: keys, Files: files, ...rest } = doc;
    const head = JSON.stringify(rest);
    const parts: Buffer[] = [Buffer.from(head === '{}' ? '{' : `${head.slice(0, -1)},`), OPEN_KEYS];
    const loaded = this.loaded && LoadedKeyEntries.of(this.loaded);
    const runs = new EntryRuns(parts, this.source);
    const fresh = (id: string, record: KeyRecord): Buffer => {
      check?.key(id, record);
      const bytes = Buffer.from(`${JSON.stringify(id)}:${JSON.stringify(record)}`);
      this.cache.set(id, { record, bytes });
      return bytes;
    };
    // Straight after a load, a transaction that deleted no key: the file's lines between the keys it
    // changed go out whole, without a look at each key (loadedKeyEntries.ts). The next commit takes
    // the untouched keys' lines one by one, as below.
    const spliced = loaded && this.cache.size === 0 && !this.allDirty && this.deleted.size === 0 ? loaded.splice(keys, this.dirty, this.added) : null;
    if (spliced !== null) {
      for (const item of spliced) runs.add(typeof item === 'string' ? fresh(item, keys[item]!) : item);
    } else {
      let count = 0;
      for (const id in keys) {
        const record = keys[id]!;
        const cached = this.cache.get(id);
        let bytes = cached?.bytes;
        if (!cached || cached.record !== record || this.allDirty || this.dirty.has(id)) {
          // A key no transaction touched since the load is as the file holds it.
          bytes = loaded && !cached && !this.allDirty && !this.dirty.has(id) ? loaded.entry(id) : undefined;
          if (bytes === undefined) bytes = fresh(id, record);
          else this.cache.set(id, { record, bytes });
        }
        runs.add(bytes!);
        count++;
      }
      this.loaded = null;
      prune(this.cache, keys, count);
    }
    runs.end();
    parts.push(runs.empty ? CLOSE_MAP : CLOSE_LINES);
    if (files !== undefined) parts.push(this.files.bytes(files, check?.file));
    else this.files.forget();
    parts.push(CLOSE);
    this.dirty = new Set();
    this.added = new Set();
    this.deleted = new Set();
    this.allDirty = false;
    return parts;
  }

  /**
   * After a load of a file Key Vault wrote (its MAC verified): the file's bytes serve the next
   * commit the entries of keys it leaves untouched. Nothing is done unless a commit follows.
   */
  seed(bytes: Buffer): void {
    this.reset();
    this.loaded = bytes;
    this.source = bytes;
  }

  /** Forget everything (after a reload from disk the records are new objects anyway). */
  reset(): void {
    this.cache.clear();
    this.loaded = null;
    this.source = null;
    this.files.forget();
    this.dirty = new Set();
    this.added = new Set();
    this.deleted = new Set();
    this.allDirty = false;
  }
}
