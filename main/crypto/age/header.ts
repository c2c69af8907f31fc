/**
 * The age v1 header: version line, recipient stanzas, and the HMAC line.
 *
 * Parsing is strict (only the canonical encoding is accepted), so re-formatting a parsed header
 * reproduces its bytes exactly; stanzas of unknown types are kept as they are.
 */
import { timingSafeEqual } from 'node:crypto';
import { decodeBase64NoPad, encodeBase64NoPad } from './encoding.js';
import { AgeDecryptionError, headerError, invalidInput } from './errors.js';
import { hmacSha256 } from './hmacSha256.js';
import { hkdf32 } from './primitives.js';

/** One recipient stanza: `-> type args...` and a binary body. */
export interface Stanza {
  type: string;
  args: string[];
  body: Buffer;
}

export interface ParsedHeader {
  stanzas: Stanza[];
  /** The header bytes covered by the MAC: from the start up to and including `---`. */
  headerBytes: Buffer;
  /** The whole MAC line as it appeared, `--- <base64>\n`. */
  macLine: Buffer;
  /** The decoded 32-byte MAC. */
  mac: Buffer;
  /** Offset of the payload (the byte after the MAC line's newline). */
  payloadOffset: number;
}

export type HeaderParseResult = ({ complete: true } & ParsedHeader) | { complete: false };

export const VERSION_LINE = 'age-encryption.org/v1';
const VERSION_PREFIX = 'age-encryption.org/';
const COLUMNS = 64;
/** A single header line longer than this is rejected instead of waiting for more bytes. */
const MAX_LINE = 1 << 20;
const B64_LINE = /^[A-Za-z0-9+/]*$/;
const MAC_LINE = /^--- ([A-Za-z0-9+/]{43})$/;

function isValidArgument(arg: string): boolean {
  if (arg.length === 0) return false;
  for (let i = 0; i < arg.length; i++) {
    const c = arg.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Parses a header from the start of `buf`, which may hold only a prefix of the file.
 * Returns `{ complete: false }` when more bytes are needed; throws AgeDecryptionError('header')
 * as soon as the bytes seen cannot be a valid header.
 */
export function parseHeader(buf: Buffer): HeaderParseResult {
  const incomplete = { complete: false } as const;
  let pos = 0;
  /** The next line without its LF, or null when the buffer ends first. */
  const nextLine = (): string | null => {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) {
      if (buf.length - pos > MAX_LINE) throw headerError('header line is too long');
      return null;
    }
    const line = buf.toString('latin1', pos, nl);
    pos = nl + 1;
    return line;
  };

  const version = nextLine();
  if (version === null) {
    const seen = buf.toString('latin1', 0, Math.min(buf.length, VERSION_LINE.length));
    if (!VERSION_LINE.startsWith(seen)) {
      throw headerError(seen.startsWith(VERSION_PREFIX) ? 'unsupported age format version' : 'not an age file');
    }
    return incomplete;
  }
  if (version !== VERSION_LINE) {
    throw headerError(version.startsWith(VERSION_PREFIX) ? 'unsupported age format version' : 'not an age file');
  }

  const stanzas: Stanza[] = [];
  for (;;) {
    const lineStart = pos;
    const line = nextLine();
    if (line === null) return incomplete;
    if (line.startsWith('-> ')) {
      const words = line.slice(3).split(' ');
      if (!words.every(isValidArgument)) throw headerError('stanza has an empty or invalid argument');
      const [type, ...args] = words as [string, ...string[]];
      let body = '';
      for (;;) {
        const bodyLine = nextLine();
        if (bodyLine === null) return incomplete;
        if (bodyLine.length > COLUMNS) throw headerError('stanza body line is longer than 64 columns');
        if (!B64_LINE.test(bodyLine)) throw headerError('stanza body is not base64');
        body += bodyLine;
        if (bodyLine.length < COLUMNS) break;
      }
      const decoded = decodeBase64NoPad(body);
      if (decoded === null) throw headerError('stanza body is not canonical base64');
      stanzas.push({ type, args, body: decoded });
      continue;
    }
    if (line.startsWith('---')) {
      const m = MAC_LINE.exec(line);
      const mac = m ? decodeBase64NoPad(m[1] as string) : null;
      if (mac === null) throw headerError('malformed header MAC line');
      if (stanzas.length === 0) throw headerError('header has no recipient stanzas');
      return {
        complete: true,
        stanzas,
        headerBytes: buf.subarray(0, lineStart + 3),
        macLine: buf.subarray(lineStart, pos),
        mac,
        payloadOffset: pos,
      };
    }
    throw headerError('unexpected line in header');
  }
}

function encodeStanza(s: Stanza): string {
  const words = [s.type, ...s.args];
  if (!words.every(isValidArgument)) throw invalidInput('stanza type and arguments must be non-empty printable ASCII');
  const b64 = encodeBase64NoPad(s.body);
  let out = `-> ${words.join(' ')}\n`;
  // Full 64-column lines, then a final line shorter than 64 columns (possibly empty).
  let i = 0;
  for (; i + COLUMNS <= b64.length; i += COLUMNS) out += `${b64.slice(i, i + COLUMNS)}\n`;
  return `${out}${b64.slice(i)}\n`;
}

/** The header bytes covered by the MAC (through `---`). */
export function formatHeaderWithoutMac(stanzas: readonly Stanza[]): Buffer {
  if (stanzas.length === 0) throw invalidInput('an age header needs at least one recipient stanza');
  return Buffer.from(`${VERSION_LINE}\n${stanzas.map(encodeStanza).join('')}---`, 'latin1');
}

/** HMAC-SHA-256 of the header under HKDF(file key, "", "header"). */
export function computeHeaderMac(fileKey: Uint8Array, headerBytes: Uint8Array): Buffer {
  const key = hkdf32(fileKey, Buffer.alloc(0), 'header');
  return hmacSha256(key, headerBytes);
}

/** The complete header (with MAC line) for these stanzas and file key. */
export function formatHeader(stanzas: readonly Stanza[], fileKey: Uint8Array): Buffer {
  const body = formatHeaderWithoutMac(stanzas);
  const mac = computeHeaderMac(fileKey, body);
  return Buffer.concat([body, Buffer.from(` ${encodeBase64NoPad(mac)}\n`, 'latin1')]);
}

/** Throws AgeDecryptionError('hmac') unless the header MAC verifies under this file key. */
export function verifyHeaderMac(header: Pick<ParsedHeader, 'headerBytes' | 'mac'>, fileKey: Uint8Array): void {
  const expected = computeHeaderMac(fileKey, header.headerBytes);
  if (header.mac.length !== expected.length || !timingSafeEqual(header.mac, expected)) {
    throw new AgeDecryptionError('hmac', 'header MAC does not verify: the file header was modified');
  }
}
