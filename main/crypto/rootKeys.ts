/**
 * Keys derived from the 32-byte root secret kept in the OS keychain. The root secret itself is
 * never used directly: HKDF gives one key per purpose, each under its own label: sealing, the check
 * value that tells a right keychain secret from a wrong one, the MAC over the whole vault document,
 * the keyed hash chain of the audit log, and the authentication of re-encrypt journals.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const ROOT_SECRET_BYTES = 32;

export interface RootKeys {
  sealKey: Buffer;
  checkKey: Buffer;
  /** Authenticates re-encrypt journals (files/rewrapJournal.ts). */
  journalKey: Buffer;
  /** Authenticates vault.json as a whole (crypto/documentMac.ts). */
  macKey: Buffer;
  /** Chains the audit log's lines (vault/auditChain.ts). */
  auditKey: Buffer;
}

export function deriveRootKeys(rootSecret: Buffer, vaultId: string): RootKeys {
  if (rootSecret.length !== ROOT_SECRET_BYTES) throw new Error('root secret must be 32 bytes');
  const salt = Buffer.from(vaultId, 'utf8');
  return {
    sealKey: Buffer.from(hkdfSync('sha256', rootSecret, salt, 'keyvault/v1/seal', 32)),
    checkKey: Buffer.from(hkdfSync('sha256', rootSecret, salt, 'keyvault/v1/check', 32)),
    journalKey: Buffer.from(hkdfSync('sha256', rootSecret, salt, 'keyvault/v1/rewrap-journal', 32)),
    macKey: Buffer.from(hkdfSync('sha256', rootSecret, salt, 'keyvault/v1/document-mac', 32)),
    auditKey: Buffer.from(hkdfSync('sha256', rootSecret, salt, 'keyvault/v1/audit-chain', 32)),
  };
}

export function rootKeyCheckValue(keys: RootKeys): string {
  return createHmac('sha256', keys.checkKey).update('keyvault root key check v1').digest('base64');
}

export function rootKeyMatches(keys: RootKeys, expected: string): boolean {
  const actual = Buffer.from(rootKeyCheckValue(keys), 'base64');
  const want = Buffer.from(expected, 'base64');
  return actual.length === want.length && timingSafeEqual(actual, want);
}
