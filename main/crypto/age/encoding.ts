/**
 * Strict text encodings used by age: canonical unpadded base64 (header), canonical padded base64
 * (armor) and Bech32 without a length limit (keys).
 */

const B64_CHAR = /^[A-Za-z0-9+/]*$/;

/** Standard base64 without `=` padding. */
export function encodeBase64NoPad(data: Uint8Array): string {
  const s = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--;
  return s.slice(0, end);
}

/**
 * Decodes canonical unpadded base64; returns null for anything else (padding, foreign characters,
 * impossible lengths, or non-zero unused bits in the last character).
 */
export function decodeBase64NoPad(text: string): Buffer | null {
  if (!B64_CHAR.test(text) || text.length % 4 === 1) return null;
  const out = Buffer.from(text, 'base64');
  return encodeBase64NoPad(out) === text ? out : null;
}

/**
 * Decodes canonical padded base64 (length a multiple of 4, `=` only as needed at the end);
 * returns null for anything else.
 */
export function decodeBase64Padded(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const out = Buffer.from(text, 'base64');
  return out.toString('base64') === text ? out : null;
}

// ---------------------------------------------------------------------------------------------
// Bech32 (BIP 173 checksum, no length limit, single case)

const BECH32_ALPHABET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    for (let i = 0; i < 5; i++) {
      if ((top >>> i) & 1) chk = (chk ^ (BECH32_GEN[i] as number)) >>> 0;
    }
  }
  return chk;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >>> 5);
  out.push(0);
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31);
  return out;
}

/** Regroups bits; with `pad` false, leftover bits must be fewer than `from` and all zero. */
function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] | null {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    const value = data[i] as number;
    if (value >>> from !== 0) return null;
    acc = (acc << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >>> bits) & maxv);
    }
    acc &= (1 << bits) - 1;
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    return null;
  }
  return out;
}

/** Encodes lowercase Bech32 (callers upper-case the result where the format wants it). */
export function bech32Encode(hrp: string, data: Uint8Array): string {
  const lower = hrp.toLowerCase();
  const words = convertBits(data, 8, 5, true) as number[];
  const values = [...hrpExpand(lower), ...words, 0, 0, 0, 0, 0, 0];
  const mod = polymod(values) ^ 1;
  let out = `${lower}1`;
  for (const w of words) out += BECH32_ALPHABET[w];
  for (let i = 0; i < 6; i++) out += BECH32_ALPHABET[(mod >>> (5 * (5 - i))) & 31];
  return out;
}

/** Decodes Bech32; returns null when malformed. The HRP is returned lowercase. */
export function bech32Decode(text: string): { hrp: string; data: Buffer } | null {
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) return null;
  const sep = lower.lastIndexOf('1');
  if (sep < 1 || sep + 7 > lower.length) return null;
  const hrp = lower.slice(0, sep);
  for (let i = 0; i < hrp.length; i++) {
    const c = hrp.charCodeAt(i);
    if (c < 33 || c > 126) return null;
  }
  const values: number[] = [];
  for (let i = sep + 1; i < lower.length; i++) {
    const v = BECH32_ALPHABET.indexOf(lower[i] as string);
    if (v < 0) return null;
    values.push(v);
  }
  if (polymod([...hrpExpand(hrp), ...values]) !== 1) return null;
  const bytes = convertBits(values.slice(0, values.length - 6), 5, 8, false);
  if (bytes === null) return null;
  return { hrp, data: Buffer.from(bytes) };
}
