/** EncryptionContext: a string map bound to a ciphertext as associated data; exact match to decrypt. */
import type { EncryptionContext } from '../core/api.js';
import { ValidationException } from '../core/errors.js';

const MAX_CONTEXT_BYTES = 8192;

export function validateEncryptionContext(ctx: unknown, field = 'EncryptionContext'): EncryptionContext | undefined {
  if (ctx === undefined || ctx === null) return undefined;
  if (typeof ctx !== 'object' || Array.isArray(ctx)) {
    throw new ValidationException(`${field} must be an object mapping strings to strings.`);
  }
  let size = 0;
  for (const [k, v] of Object.entries(ctx)) {
    if (k.length === 0) throw new ValidationException(`${field} keys must not be empty.`);
    if (typeof v !== 'string') throw new ValidationException(`${field} value for "${k}" must be a string.`);
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > MAX_CONTEXT_BYTES) throw new ValidationException(`${field} is larger than ${MAX_CONTEXT_BYTES} bytes.`);
  return ctx as EncryptionContext;
}

/** Canonical bytes: pairs sorted by key (code point order), so key order never matters. */
export function canonicalEncryptionContext(ctx: EncryptionContext | undefined): Buffer {
  if (!ctx) return EMPTY;
  const keys = Object.keys(ctx);
  if (keys.length === 0) return EMPTY;
  keys.sort();
  return Buffer.from(JSON.stringify(keys.map((k) => [k, ctx[k]])), 'utf8');
}

const EMPTY = Buffer.alloc(0);
