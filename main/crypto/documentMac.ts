/**
 * The MAC over the whole vault document. vault.json is written as its body (the compact JSON the
 * serializer produces) with one extra trailing member, `"DocumentMac":"<base64 HMAC-SHA256>"`, so
 * the file stays one valid JSON object for lowdb, jq and editors. The MAC covers exactly the body
 * bytes: the file minus that trailing member, with the body's closing brace put back.
 *
 * Keeping the tag at a fixed place at the very end lets a reader find and check it on the raw text
 * before any field is used, and lets the writer seal the serializer's buffers with one more copy.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DOCUMENT_MAC_FIELD = 'DocumentMac';
const SUFFIX_HEAD = `,"${DOCUMENT_MAC_FIELD}":"`;
const TAG_CHARS = 44; // base64 of 32 bytes
const SUFFIX_CHARS = SUFFIX_HEAD.length + TAG_CHARS + 2; // + `"}`
const CLOSE_BRACE = 0x7d;

function macOf(macKey: Buffer, body: Iterable<Buffer | string>): Buffer {
  const hmac = createHmac('sha256', macKey);
  for (const part of body) hmac.update(part);
  return hmac.digest();
}

/**
 * Seals a document body given as consecutive buffers (the last one ending with the body's closing
 * `}`): returns the file image with the MAC as the last member.
 */
export function sealDocument(bodyParts: readonly Buffer[], macKey: Buffer): Buffer {
  const tag = macOf(macKey, bodyParts).toString('base64');
  const suffix = Buffer.from(`${SUFFIX_HEAD}${tag}"}`);
  let bodyLength = 0;
  for (const p of bodyParts) bodyLength += p.length;
  const last = bodyParts[bodyParts.length - 1];
  if (!last || last[last.length - 1] !== CLOSE_BRACE) throw new Error('a document body must end with }');
  const out = Buffer.allocUnsafe(bodyLength - 1 + suffix.length);
  let offset = 0;
  for (const p of bodyParts) offset += p.copy(out, offset);
  suffix.copy(out, bodyLength - 1); // over the body's closing brace
  return out;
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
  const actual = macOf(macKey, [text.slice(0, start), '}']);
  return given.length === actual.length && timingSafeEqual(given, actual) ? 'valid' : 'invalid';
}

/** Whether parsed JSON carries a MAC member anywhere at its top level. */
export function hasDocumentMacMember(json: unknown): boolean {
  return typeof json === 'object' && json !== null && Object.prototype.hasOwnProperty.call(json, DOCUMENT_MAC_FIELD);
}

/** Removes the MAC member from a parsed document (it is not part of the document model). */
export function dropDocumentMacMember(json: unknown): void {
  if (hasDocumentMacMember(json)) delete (json as Record<string, unknown>)[DOCUMENT_MAC_FIELD];
}
