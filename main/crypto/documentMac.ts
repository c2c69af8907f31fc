/**
 * The MAC over the whole vault document. vault.json is written as its body (the compact JSON the
 * serializer produces) with one extra trailing member, `"DocumentMac":"<base64 tag>"`, so the file
 * stays one valid JSON object for lowdb, jq and editors. The MAC covers exactly the body bytes: the
 * file minus that trailing member, with the body's closing brace put back.
 *
 * The MAC is GMAC (AES-256-GCM over no plaintext, the body as associated data; NIST SP 800-38D)
 * under a key of its own, with a fresh random 96-bit nonce per write stored in front of the 128-bit
 * tag. It authenticates a 15 MB vault in ~1 ms where HMAC-SHA256 takes 12-30 ms on the same
 * machine, which matters because a commit's budget is a small multiple of a bare durable write.
 * Random nonces stay unique for far more writes than a vault makes (2^32 writes: < 2^-32 chance).
 *
 * Keeping the tag at a fixed place at the very end lets a reader find and check it on the raw text
 * before any field is used, and lets the writer seal the serializer's buffers without copying them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const DOCUMENT_MAC_FIELD = 'DocumentMac';
const SUFFIX_HEAD = `,"${DOCUMENT_MAC_FIELD}":"`;
const NONCE_BYTES = 12;
const GCM_TAG_BYTES = 16;
const TAG_CHARS = 40; // base64 of nonce (12 bytes) + tag (16 bytes)
const SUFFIX_CHARS = SUFFIX_HEAD.length + TAG_CHARS + 2; // + `"}`
const CLOSE_BRACE = 0x7d;

function gmac(macKey: Buffer, nonce: Buffer, body: readonly (Buffer | string)[]): Buffer {
  const cipher = createCipheriv('aes-256-gcm', macKey, nonce, { authTagLength: GCM_TAG_BYTES });
  for (const part of body) cipher.setAAD(typeof part === 'string' ? Buffer.from(part, 'utf8') : part);
  cipher.final();
  return cipher.getAuthTag();
}

function gmacMatches(macKey: Buffer, nonce: Buffer, tag: Buffer, body: readonly (Buffer | string)[]): boolean {
  const decipher = createDecipheriv('aes-256-gcm', macKey, nonce, { authTagLength: GCM_TAG_BYTES });
  for (const part of body) decipher.setAAD(typeof part === 'string' ? Buffer.from(part, 'utf8') : part);
  decipher.setAuthTag(tag);
  try {
    decipher.final();
    return true;
  } catch {
    return false;
  }
}

/**
 * Seals a document body given as consecutive buffers (the last one ending with the body's closing
 * `}`): returns the file image, the same buffers followed by the MAC member, the body's closing
 * brace moved behind it. Nothing is copied: the parts are written back to back (writev).
 */
export function sealDocumentParts(bodyParts: readonly Buffer[], macKey: Buffer): Buffer[] {
  const last = bodyParts[bodyParts.length - 1];
  if (!last || last[last.length - 1] !== CLOSE_BRACE) throw new Error('a document body must end with }');
  const nonce = randomBytes(NONCE_BYTES);
  const tag = Buffer.concat([nonce, gmac(macKey, nonce, bodyParts)]).toString('base64');
  const image = bodyParts.slice(0, -1);
  if (last.length > 1) image.push(last.subarray(0, last.length - 1));
  image.push(Buffer.from(`${SUFFIX_HEAD}${tag}"}`, 'latin1'));
  return image;
}

/** sealDocumentParts() as one buffer. */
export function sealDocument(bodyParts: readonly Buffer[], macKey: Buffer): Buffer {
  return Buffer.concat(sealDocumentParts(bodyParts, macKey));
}

export type DocumentMacCheck = 'valid' | 'absent' | 'invalid';

/**
 * Checks the MAC of a file's text. 'absent' when the text does not end with a MAC member (the
 * caller decides whether a document without one may still be accepted); 'invalid' when it does but
 * the tag does not match the body.
 */
export function checkDocumentMac(text: string, macKey: Buffer): DocumentMacCheck {
  const start = text.length - SUFFIX_CHARS;
  if (start < 1 || !text.endsWith('"}') || !text.startsWith(SUFFIX_HEAD, start)) return 'absent';
  const given = Buffer.from(text.slice(start + SUFFIX_HEAD.length, text.length - 2), 'base64');
  if (given.length !== NONCE_BYTES + GCM_TAG_BYTES) return 'invalid';
  const body = [text.slice(0, start), '}'];
  return gmacMatches(macKey, given.subarray(0, NONCE_BYTES), given.subarray(NONCE_BYTES), body) ? 'valid' : 'invalid';
}

/**
 * checkDocumentMac() on the file's bytes as read: the same verdicts for any file Key Vault wrote
 * (its JSON is valid UTF-8), without re-encoding 15 MB of text to bytes (~20 ms at a cold start).
 */
export function checkDocumentMacBytes(file: Buffer, macKey: Buffer): DocumentMacCheck {
  const start = file.length - SUFFIX_CHARS;
  if (start < 1 || file.toString('latin1', start, start + SUFFIX_HEAD.length) !== SUFFIX_HEAD || file.toString('latin1', file.length - 2) !== '"}') {
    return 'absent';
  }
  const given = Buffer.from(file.toString('latin1', start + SUFFIX_HEAD.length, file.length - 2), 'base64');
  if (given.length !== NONCE_BYTES + GCM_TAG_BYTES) return 'invalid';
  const body = [file.subarray(0, start), CLOSE_BRACE_BYTES];
  return gmacMatches(macKey, given.subarray(0, NONCE_BYTES), given.subarray(NONCE_BYTES), body) ? 'valid' : 'invalid';
}

const CLOSE_BRACE_BYTES = Buffer.from('}');

/** Whether parsed JSON carries a MAC member anywhere at its top level. */
export function hasDocumentMacMember(json: unknown): boolean {
  return typeof json === 'object' && json !== null && Object.prototype.hasOwnProperty.call(json, DOCUMENT_MAC_FIELD);
}

/** Removes the MAC member from a parsed document (it is not part of the document model). */
export function dropDocumentMacMember(json: unknown): void {
  if (hasDocumentMacMember(json)) delete (json as Record<string, unknown>)[DOCUMENT_MAC_FIELD];
}
