/** EncryptionContext: a string map bound to a ciphertext as associated data; exact match to decrypt. */
import type { EncryptionContext } from '../core/api.js';
import { ValidationException } from '../core/errors.js';

const MAX_CONTEXT_BYTES = 8192;

/**
 * Keys that a schema (or any plain-object copy) would drop or turn into a prototype change, so the
 * context bound to a ciphertext could differ from the one the caller sent. Refused by every entry
 * point (CLI, API endpoint, app) through validateEncryptionContext.
 */
export const RESERVED_CONTEXT_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The first reserved key among the object's own keys (JSON.parse makes `__proto__` an own key). */
export function reservedContextKey(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return Reflect.ownKeys(value).find((k): k is string => typeof k === 'string' && RESERVED_CONTEXT_KEYS.has(k));
}

export function validateEncryptionContext(ctx: unknown, field = 'EncryptionContext'): EncryptionContext | undefined {
  if (ctx === undefined || ctx === null) return undefined;
  if (typeof ctx !== 'object' || Array.isArray(ctx)) {
    throw new ValidationException(`${field} must be an object mapping strings to strings.`);
  }
  const reserved = reservedContextKey(ctx);
  if (reserved !== undefined) throw new ValidationException(`${field} key "${reserved}" is reserved and cannot be used.`);
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
