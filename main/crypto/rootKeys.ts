/**
 * Keys derived from the 32-byte root secret kept in the OS keychain. The root secret itself is
 * never used directly: HKDF gives one key for sealing, one for the check value that tells a
 * right keychain secret from a wrong one, and one that authenticates re-encrypt journals
 * (files/rewrapJournal.ts), each under its own label.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const ROOT_SECRET_BYTES = 32;

export interface RootKeys {
  sealKey: Buffer;
  checkKey: Buffer;
  journalKey: Buffer;
}

export function deriveRootKeys(rootSecret: Buffer, vaultId: string): RootKeys {
  if (rootSecret.length !== ROOT_SECRET_BYTES) throw new Error('root secret must be 32 bytes');
  const salt = Buffer.from(vaultId, 'utf8');
  return {
    sealKey: Buffer.from(hkdfSync('sha256', rootSecret, salt, 'keyvault/v1/seal', 32)),
    checkKey: Buffer.from(hkdfSync('sha256', rootSecret, salt, 'keyvault/v1/check', 32)),
    journalKey: Buffer.from(hkdfSync('sha256', rootSecret, salt, 'keyvault/v1/rewrap-journal', 32)),
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
