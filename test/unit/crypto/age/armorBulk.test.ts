/**
 * The armor decoder reads runs of full 64-column lines in bulk: it must decode exactly what the
 * line-by-line rules decode, whatever the push sizes, and refuse the same damage inside a run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { AgeDecryptionError, armor, ArmorDecoder } from '../../../../main/crypto/age/index.js';

function decodeInPieces(text: Buffer, piece: number): Buffer {
  const dec = new ArmorDecoder();
  const out: Buffer[] = [];
  for (let i = 0; i < text.length; i += piece) out.push(dec.push(text.subarray(i, i + piece)));
  out.push(dec.final());
  return Buffer.concat(out);
}

const isArmorError = (e: unknown): boolean => e instanceof AgeDecryptionError && e.stage === 'armor';

test('long armored texts decode to their bytes in any push sizes, LF or CRLF', () => {
  for (const size of [0, 1, 47, 48, 49, 48 * 1000, 48 * 1000 + 17]) {
    const data = randomBytes(size);
    const lf = armor(data);
    const crlf = Buffer.from(lf.toString('latin1').replaceAll('\n', '\r\n'), 'latin1');
    for (const text of [lf, crlf]) {
      for (const piece of [1, 64, 65, 1000, 1 << 20]) {
        assert.ok(decodeInPieces(text, piece).equals(data), `size ${size}, piece ${piece}`);
      }
    }
  }
});

test('damage inside a run of full lines is refused as armor, in any push sizes', () => {
  const text = armor(randomBytes(48 * 500));
  const middle = text.indexOf(0x0a, text.length / 2) + 1; // start of a full line
  const damaged: Buffer[] = [];
  for (const [at, byte] of [
    [middle + 10, 0x2a], // '*': not base64
    [middle + 10, 0x2d], // '-': base64url, not base64
    [middle + 63, 0x3d], // '=' padding inside the file
    [middle + 64, 0x20], // a line one column too long
  ] as const) {
    const copy = Buffer.from(text);
    copy[at] = byte;
    damaged.push(copy);
  }
  // A short line in the middle (a data line after the final short one).
  damaged.push(Buffer.concat([text.subarray(0, middle + 10), Buffer.from('\n'), text.subarray(middle + 10)]));
  for (const bad of damaged) {
    for (const piece of [7, 65, 1 << 20]) {
      assert.throws(() => decodeInPieces(bad, piece), isArmorError, `piece ${piece}`);
    }
  }
});
