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
