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
 * A new process has no cache: its first commit after a load takes the JSON of each key from the
 * file as read wherever that text is exactly the record's JSON (loadedKeyEntries.ts), which saves
 * encoding it again (the stringify stays: it is what proves the bytes are the record's).
 *
 * The file inventory (`Files`) has a section of its own, kept the same way (inventorySection.ts).
 * Everything else (aliases, recovery data) is always fresh.
 */
import type { KeyRecord } from '../core/keyModel.js';
import { InventorySection } from './inventorySection.js';
import { LoadedKeyEntries } from './loadedKeyEntries.js';
import type { VaultDocument } from './vaultDocument.js';

interface Cached<R> {
  record: R;
  /** UTF-8 of `"<id>":<record JSON>`, ready to be copied into the file image. */
  bytes: Buffer;
}

const OPEN_KEYS = Buffer.from('"Keys":{');
const COMMA = Buffer.from(',');
const CLOSE_MAP = Buffer.from('}');
const CLOSE = Buffer.from('}');

/** Drops cached entries whose id is no longer in the map (only when the map shrank or changed). */
function prune<R>(cache: Map<string, Cached<R>>, map: Record<string, R>, count: number): void {
  if (cache.size > count) for (const id of cache.keys()) if (!(id in map)) cache.delete(id);
}

export class DocumentSerializer {
  private readonly cache = new Map<string, Cached<KeyRecord>>();
  private readonly files = new InventorySection();
  private dirty = new Set<string>();
  private allDirty = false;
  /** The file of the last load, until the first commit after it. */
  private loaded: { text: string; bytes: Buffer } | null = null;

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

  /** How many records `files` holds, counting at most `limit` + 1 (free when no transaction changed it). */
  countFilesAtMost(files: VaultDocument['Files'], limit: number): number {
    return files === undefined ? 0 : this.files.countAtMost(files, limit);
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
    const loaded = this.loaded && LoadedKeyEntries.of(this.loaded.text, this.loaded.bytes);
    let first = true;
    let count = 0;
    for (const id in keys) {
      const record = keys[id]!;
      count++;
      let cached = this.cache.get(id);
      if (!cached || cached.record !== record || this.allDirty || this.dirty.has(id)) {
        const json = JSON.stringify(record);
        cached = { record, bytes: loaded?.entry(id, json) ?? Buffer.from(`${JSON.stringify(id)}:${json}`) };
        this.cache.set(id, cached);
      }
      if (!first) parts.push(COMMA);
      parts.push(cached.bytes);
      first = false;
    }
    prune(this.cache, keys, count);
    parts.push(CLOSE_MAP);
    if (files !== undefined) parts.push(this.files.bytes(files));
    else this.files.forget();
    parts.push(CLOSE);
    this.dirty = new Set();
    this.allDirty = false;
    this.loaded = null;
    return parts;
  }

  /**
   * After a load: the file as read (`text` is the UTF-8 decoding of `bytes`; neither may change)
   * serves the next commit the bytes of each key whose JSON it holds exactly, instead of encoding
   * them afresh. Nothing is done unless a commit follows.
   */
  seed(text: string, bytes: Buffer): void {
    this.reset();
    this.loaded = { text, bytes };
  }

  /** Forget everything (after a reload from disk the records are new objects anyway). */
  reset(): void {
    this.cache.clear();
    this.loaded = null;
    this.files.forget();
    this.dirty = new Set();
    this.allDirty = false;
  }
}
