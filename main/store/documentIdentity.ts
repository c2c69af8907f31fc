/**
 * The vault id and root key check of a vault document on disk, read WITHOUT authenticating it:
 * only to find the keychain entry and to tell a wrong root secret from a changed file. Both fields
 * sit near the start of the file (before Keys), so a head is read, not megabytes of JSON.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { KMSInternalException } from '../core/errors.js';
import { readJsonFileSync } from './durableFileAdapter.js';

export interface DocumentIdentity {
  VaultId: string;
  RootKeyCheck: string;
}

const PEEK_BYTES = 4096;
const FIELD_RE = {
  VaultId: /^\{(?:"[A-Za-z]+":(?:\d+|"[^"\\]*"),)*?"VaultId":"([0-9a-f-]{36})"/,
  RootKeyCheck: /^\{(?:"[A-Za-z]+":(?:\d+|"[^"\\]*"),)*?"RootKeyCheck":"([A-Za-z0-9+/=]{1,100})"/,
};

/** The first `bytes` of a file as text, or null when it does not exist. */
function readFileHead(file: string, bytes: number): string | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KMSInternalException(`The vault file ${file} could not be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Null when the file does not exist; falls back to a full parse when the head does not show both fields. */
export function peekDocumentIdentity(file: string): DocumentIdentity | null {
  const head = readFileHead(file, PEEK_BYTES);
  if (head === null) return null;
  const VaultId = FIELD_RE.VaultId.exec(head)?.[1];
  const RootKeyCheck = FIELD_RE.RootKeyCheck.exec(head)?.[1];
  if (VaultId !== undefined && RootKeyCheck !== undefined) return { VaultId, RootKeyCheck };
  const loaded = readJsonFileSync(file, (json, name) => {
    const o = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    if (typeof o.VaultId !== 'string' || typeof o.RootKeyCheck !== 'string') {
      throw new KMSInternalException(`The vault document ${name} is not valid: it has no VaultId or RootKeyCheck.`);
    }
    return { VaultId: o.VaultId, RootKeyCheck: o.RootKeyCheck };
  });
  return loaded ? loaded.data : null;
}
