/**
 * The vault file as it was loaded, as a source of key entries' bytes for the next commit, so that a
 * new process need not encode afresh the ~15 MB of keys it did not change (documentSerializer.ts).
 *
 * An entry is taken from the file only where the file holds exactly `"<id>":` followed by the
 * record's JSON.stringify text (compared as text): the bytes then are exactly those the serializer
 * would produce, whatever else the file holds (any whitespace, escapes or order, repeated members).
 * Text positions become byte positions only for a file of valid UTF-8, where decoding and encoding
 * are each other's inverse; any other file is not used at all.
 */
import { isUtf8 } from 'node:buffer';

const KEYS_MEMBER = '"Keys":{';
const COMMA = 0x2c;

export class LoadedKeyEntries {
  /** Where the next entry is expected (text and byte offsets): the file lists keys in map order. */
  private textAt: number;
  private byteAt: number;
  private readonly ascii: boolean;

  private constructor(
    private readonly text: string,
    private readonly bytes: Buffer,
    start: number,
  ) {
    this.ascii = text.length === bytes.length;
    this.textAt = start;
    this.byteAt = this.ascii ? start : Buffer.byteLength(text.slice(0, start));
  }

  /** `text` must be the UTF-8 decoding of `bytes`; neither may change afterwards. Null when the file cannot serve. */
  static of(text: string, bytes: Buffer): LoadedKeyEntries | null {
    const start = text.indexOf(KEYS_MEMBER);
    if (start < 0 || !isUtf8(bytes)) return null;
    return new LoadedKeyEntries(text, bytes, start + KEYS_MEMBER.length);
  }

  /**
   * The file's bytes of `"<id>":<json>` when it holds exactly that text, at the expected place or
   * (after entries that changed) further on; else undefined. A view into the file, not a copy.
   */
  entry(id: string, json: string): Buffer | undefined {
    const head = `${JSON.stringify(id)}:`;
    let at = this.text.charCodeAt(this.textAt) === COMMA ? this.textAt + 1 : this.textAt;
    if (this.text.slice(at, at + head.length) !== head) {
      at = this.text.indexOf(head, this.textAt);
      if (at < 0) return undefined;
    }
    const byteStart = this.advanceTo(at);
    const end = at + head.length + json.length;
    // A sliced string compared with === is a memory comparison (startsWith compares character by character: ~10x slower here).
    if (this.text.slice(at + head.length, end) !== json) {
      // A changed record: the next search starts after its id, not here again (that would be quadratic).
      this.advanceTo(at + head.length);
      return undefined;
    }
    return this.bytes.subarray(byteStart, this.advanceTo(end));
  }

  /** Moves the expected place forward to text offset `to`; returns its byte offset. */
  private advanceTo(to: number): number {
    if (!this.ascii) this.byteAt += Buffer.byteLength(this.text.slice(this.textAt, to));
    else this.byteAt = to;
    this.textAt = to;
    return this.byteAt;
  }
}
