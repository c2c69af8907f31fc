/**
 * ASCII armor for age files: strict PEM (RFC 7468 §3) with the label "AGE ENCRYPTED FILE",
 * 64-column padded canonical base64. Whitespace is allowed only before the BEGIN line and after
 * the END line; line endings may be LF or CRLF. Both directions stream with bounded memory.
 */
import { decodeBase64Padded } from './encoding.js';
import { armorError } from './errors.js';

export const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
export const ARMOR_END = '-----END AGE ENCRYPTED FILE-----';
const COLUMNS = 64;
const BYTES_PER_LINE = (COLUMNS / 4) * 3;
/** No valid armor line is longer than this (a full data line plus CR); stop buffering beyond it. */
const MAX_LINE = COLUMNS + 1;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/** 1 for the 64 letters of the standard base64 alphabet (no padding), 0 for every other byte. */
const B64_LETTER = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') B64_LETTER[c.charCodeAt(0)] = 1;

/**
 * The bulk of an armored file: consecutive full lines (64 base64 letters, no padding, then LF)
 * from `start`. Such a line is always canonical and decodes to exactly 48 bytes, so a run of them
 * is decoded in one call instead of line by line (which cost ~1 µs a line). Returns where the
 * run ends and its bytes; anything else (CRLF, padding, a short line, END) is left to the
 * line-by-line parser.
 */
function fullLines(data: Uint8Array, start: number): { end: number; bytes: Buffer | null } {
  let end = start;
  while (end + COLUMNS < data.length && data[end + COLUMNS] === 0x0a) {
    let ok = 1;
    for (let k = end; k < end + COLUMNS; k++) ok &= B64_LETTER[data[k] as number] as number;
    if (ok === 0) break;
    end += COLUMNS + 1;
  }
  if (end === start) return { end, bytes: null };
  const lines = (end - start) / (COLUMNS + 1);
  const text = Buffer.allocUnsafe(lines * COLUMNS);
  const src = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let l = 0, from = start; l < lines; l++, from += COLUMNS + 1) src.copy(text, l * COLUMNS, from, from + COLUMNS);
  return { end, bytes: Buffer.from(text.toString('latin1'), 'base64') };
}

/** Produces an armored file from binary age bytes pushed in any sizes. */
export class ArmorEncoder {
  private carry = Buffer.alloc(0);
  private started = false;
  private finished = false;

  /** `prefix`, the base64 of `bytes` in lines of 64 columns each ended by LF, then `suffix`. */
  private wrap(prefix: string, bytes: Buffer, suffix = ''): Buffer {
    const b64 = Buffer.from(bytes.toString('base64'), 'latin1');
    const lines = Math.ceil(b64.length / COLUMNS);
    const out = Buffer.allocUnsafe(prefix.length + b64.length + lines + suffix.length);
    let at = out.write(prefix, 0, 'latin1');
    for (let from = 0; from < b64.length; from += COLUMNS) {
      at += b64.copy(out, at, from, Math.min(from + COLUMNS, b64.length));
      out[at++] = 0x0a;
    }
    out.write(suffix, at, 'latin1');
    return out;
  }

  private begin(): string {
    if (this.started) return '';
    this.started = true;
    return `${ARMOR_BEGIN}\n`;
  }

  push(data: Uint8Array): Buffer {
    if (this.finished) throw new Error('ArmorEncoder already finished');
    const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const all = this.carry.length > 0 ? Buffer.concat([this.carry, input]) : input;
    const whole = all.length - (all.length % BYTES_PER_LINE);
    this.carry = Buffer.from(all.subarray(whole));
    return this.wrap(this.begin(), all.subarray(0, whole));
  }

  final(): Buffer {
    this.finished = true;
    const out = this.wrap(this.begin(), this.carry, `${ARMOR_END}\n`);
    this.carry = Buffer.alloc(0);
    return out;
  }
}

type DecoderState = 'leading' | 'begin' | 'data' | 'last-data' | 'trailing';

/** Strictly decodes an armored file pushed in any sizes; final() throws if it is incomplete. */
export class ArmorDecoder {
  private state: DecoderState = 'leading';
  private line = '';
  private finished = false;

  private handleLine(raw: string, out: Buffer[]): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    switch (this.state) {
      case 'begin':
        if (line !== ARMOR_BEGIN) throw armorError('armor does not start with the AGE ENCRYPTED FILE begin line');
        this.state = 'data';
        return;
      case 'data':
      case 'last-data': {
        if (line === ARMOR_END) {
          this.state = 'trailing';
          return;
        }
        if (this.state === 'last-data') throw armorError('armor has data after its final short line');
        if (line.length === 0) throw armorError('armor has an empty line');
        if (line.length > COLUMNS) throw armorError('armor line is longer than 64 columns');
        const bytes = decodeBase64Padded(line);
        if (bytes === null) throw armorError('armor line is not canonical padded base64');
        if (line.length < COLUMNS || line.endsWith('=')) this.state = 'last-data';
        if (bytes.length > 0) out.push(bytes);
        return;
      }
      default:
        throw armorError('armor is malformed');
    }
  }

  /** Feeds armored bytes; returns the binary bytes of every complete line. */
  push(data: Uint8Array): Buffer {
    if (this.finished) throw new Error('ArmorDecoder already finished');
    const out: Buffer[] = [];
    let i = 0;
    while (i < data.length) {
      if (this.state === 'leading' || this.state === 'trailing') {
        while (i < data.length && isSpace(data[i] as number)) i++;
        if (i === data.length) break;
        if (this.state === 'trailing') throw armorError('armor has data after the END line');
        this.state = 'begin';
      }
      if (this.state === 'data' && this.line.length === 0) {
        const run = fullLines(data, i);
        if (run.bytes !== null) {
          out.push(run.bytes);
          i = run.end;
          if (i === data.length) break;
        }
      }
      let nl = i;
      while (nl < data.length && data[nl] !== 0x0a) nl++;
      this.line += Buffer.from(data.buffer, data.byteOffset + i, nl - i).toString('latin1');
      if (this.line.length > MAX_LINE) throw armorError('armor line is too long');
      if (nl === data.length) break;
      const line = this.line;
      this.line = '';
      this.handleLine(line, out);
      i = nl + 1;
    }
    return Buffer.concat(out);
  }

  final(): Buffer {
    if (this.finished) throw new Error('ArmorDecoder already finished');
    this.finished = true;
    const out: Buffer[] = [];
    // The END line may be the last thing in the file with no line ending.
    if (this.line.length > 0) {
      const line = this.line;
      this.line = '';
      this.handleLine(line, out);
    }
    if (this.state !== 'trailing') throw armorError('armor is truncated (no END line)');
    return Buffer.concat(out);
  }
}

/** Armors a whole binary age file. */
export function armor(data: Uint8Array): Buffer {
  const enc = new ArmorEncoder();
  return Buffer.concat([enc.push(data), enc.final()]);
}

/** Decodes a whole armored age file; throws AgeDecryptionError('armor') when it is not strict. */
export function dearmor(text: Uint8Array | string): Buffer {
  const dec = new ArmorDecoder();
  const input = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  return Buffer.concat([dec.push(input), dec.final()]);
}

const BEGIN_PREFIX = Buffer.from('-----BEGIN', 'latin1');
/** Leading whitespace beyond this settles the question: not an armored file. */
const MAX_SNIFF = 1 << 16;

/**
 * Decides from a prefix whether a file is armored: true/false, or null when more bytes are
 * needed (`atEnd` says no more will come).
 */
export function sniffArmor(prefix: Uint8Array, atEnd: boolean): boolean | null {
  let i = 0;
  while (i < prefix.length && isSpace(prefix[i] as number)) i++;
  if (i >= MAX_SNIFF) return false;
  const n = Math.min(prefix.length - i, BEGIN_PREFIX.length);
  for (let k = 0; k < n; k++) if (prefix[i + k] !== BEGIN_PREFIX[k]) return false;
  if (n === BEGIN_PREFIX.length) return true;
  return atEnd ? false : null;
}

/** True when the bytes (after optional whitespace) begin like an armored age file. */
export function looksArmored(prefix: Uint8Array): boolean {
  return sniffArmor(prefix, true) === true;
}
