/**
 * The vault file as it was loaded, as a source of key entries' bytes for the first commit after the
 * load, so that a new process need not encode afresh the ~15 MB of keys it did not change
 * (documentSerializer.ts).
 *
 * The serializer writes the Keys map one entry per line: `"Keys":{` then, each on a line of its
 * own, `"<id>":<record JSON>` with a comma between entries, then `}` on a line. Compact JSON never
 * holds a raw line break (one inside a string is written `\n`), so in such a file a line of the
 * Keys section is exactly one entry, and its bytes are the ones JSON.parse read the record from:
 * copying them writes the record as loaded, whatever their spelling. The store offers a file only
 * when its MAC verified (it is one Key Vault wrote), and one in another layout (older versions wrote
 * the map on one line) is not used at all: its first commit encodes every key.
 */
const KEYS_OPEN = Buffer.from('"Keys":{\n');
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const CLOSE_LINES = Buffer.from('\n}');

/** Whether the file was written in the line layout (by a Key Vault that checks every record it writes). */
export function hasKeyLines(bytes: Buffer): boolean {
  return bytes.indexOf(KEYS_OPEN) >= 0;
}

export class LoadedKeyEntries {
  /** Byte offset of the line where the next entry is expected: the file lists keys in map order. */
  private at: number;

  private constructor(
    private readonly bytes: Buffer,
    start: number,
  ) {
    this.at = start;
  }

  /** `bytes` (the whole file) must not change afterwards. Null when the file is not in the line layout. */
  static of(bytes: Buffer): LoadedKeyEntries | null {
    const start = bytes.indexOf(KEYS_OPEN);
    return start < 0 ? null : new LoadedKeyEntries(bytes, start + KEYS_OPEN.length);
  }

  /**
   * The file's bytes of the entry for `id` (`"<id>":<json>`, without the comma after it) when the
   * file holds one at the expected line or further on; else undefined. A view into the file, not a copy.
   */
  entry(id: string): Buffer | undefined {
    const head = `${JSON.stringify(id)}:`;
    let at = this.at;
    if (!this.lineStartsWith(at, head)) {
      // Lines of deleted or changed keys come first: the entry starts a later line, or is not here.
      const found = this.bytes.indexOf(`\n${head}`, at);
      if (found < 0) return undefined;
      at = found + 1;
    }
    let end = this.bytes.indexOf(NEWLINE, at);
    if (end < 0) return undefined;
    this.at = end + 1;
    if (this.bytes[end - 1] === COMMA) end--;
    return this.bytes.subarray(at, end);
  }

  /**
   * The entries of `keys` for the first commit after the load, when the transaction deleted no key:
   * keys in `changed` were touched in place, keys in `added` are new (the map lists them after all
   * others), every other key is as loaded. The plan, in map order: the file's lines between changed
   * keys as whole views (no look at each key), and the id of each changed or added key, for the
   * caller to encode once the plan holds. Null when the file does not hold the changed keys' lines
   * in the map's order (then each key is looked up).
   */
  splice(keys: object, changed: ReadonlySet<string>, added: ReadonlySet<string>): (Buffer | string)[] | null {
    const b = this.bytes;
    const out: (Buffer | string)[] = [];
    let from = this.at; // the first line not yet sent
    let kept = 0; // keys as loaded since `from`
    const appended: string[] = [];
    for (const id in keys) {
      if (added.has(id)) {
        appended.push(id);
        continue;
      }
      if (appended.length > 0) return null; // a new key before a loaded one: not the file's order
      if (!changed.has(id)) {
        kept++;
        continue;
      }
      const found = b.indexOf(`\n${JSON.stringify(id)}:`, from - 1);
      if (found < 0) return null;
      const start = found + 1;
      // Lines as loaded before this one (they end with `,\n`), or none.
      if (kept > 0 ? start - 2 <= from || b[start - 2] !== COMMA : start !== from) return null;
      if (kept > 0) out.push(b.subarray(from, start - 2));
      out.push(id);
      const end = b.indexOf(NEWLINE, start);
      if (end < 0) return null;
      from = end + 1;
      kept = 0;
    }
    // The lines after the last changed key, up to the `\n}` that closes the map.
    const close = b.indexOf(CLOSE_LINES, from - 1);
    if (close < 0 || (kept > 0 ? close <= from : close !== from - 1)) return null;
    if (kept > 0) out.push(b.subarray(from, close));
    out.push(...appended);
    return out;
  }

  /** Whether a line starts at `at` with `head` (ASCII only: anything else is left to the search). */
  private lineStartsWith(at: number, head: string): boolean {
    const b = this.bytes;
    if (b[at - 1] !== NEWLINE || at + head.length > b.length) return false;
    for (let i = 0; i < head.length; i++) {
      const c = head.charCodeAt(i);
      if (c > 0x7f || b[at + i] !== c) return false;
    }
    return true;
  }
}
