/** Thin wrappers over node:crypto for the primitives age uses. */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { hkdfSha256 } from './hmacSha256.js';

export const FILE_KEY_SIZE = 16;

const ZERO_NONCE = Buffer.alloc(12);

/** HKDF-SHA-256 with a 32-byte output. */
export function hkdf32(ikm: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return hkdfSha256(ikm, salt, info);
}

/** ChaCha20-Poly1305 under a zero nonce (used to wrap a file key with a single-use key). */
export function sealZeroNonce(key: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
  const head = c.update(plaintext);
  c.final();
  return Buffer.concat([head, c.getAuthTag()]);
}

/** Opens a zero-nonce ChaCha20-Poly1305 box; null when the tag does not verify. */
export function openZeroNonce(key: Uint8Array, sealed: Uint8Array): Buffer | null {
  if (sealed.length < 16) return null;
  const d = createDecipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  const out = d.update(sealed.subarray(0, sealed.length - 16));
  try {
    d.final();
  } catch {
    out.fill(0);
    return null;
  }
  return out;
}
