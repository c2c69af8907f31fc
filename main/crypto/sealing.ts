/**
 * Sealing of secrets at rest: AES-256-GCM under the root seal key, with associated data naming
 * exactly what is sealed (vault, key and version ids), so material moved to another record fails to
 * open instead of being used.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { KMSInternalException } from '../core/errors.js';
import { AEAD_TAG_BYTES, GCM_IV_BYTES } from './aeadSizes.js';
import { randomInto } from './randomPool.js';

const IV_BYTES = GCM_IV_BYTES;
const TAG_BYTES = AEAD_TAG_BYTES;

/** iv | ciphertext | tag, built in one buffer (a catch-up seals a thousand versions in a row). */
function seal(key: Buffer, aad: string, secret: Buffer): string {
  const out = Buffer.allocUnsafe(IV_BYTES + secret.length + TAG_BYTES);
  randomInto(out, 0, IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, out.subarray(0, IV_BYTES));
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = cipher.update(secret);
  if (ct.length !== secret.length || cipher.final().length !== 0) throw new KMSInternalException('AES-GCM sealing returned an unexpected length.');
  ct.copy(out, IV_BYTES);
  cipher.getAuthTag().copy(out, IV_BYTES + ct.length);
  return out.toString('base64');
}

function open(key: Buffer, aad: string, sealed: string, what: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES + 1) {
    throw new KMSInternalException(`The sealed ${what} in the store is damaged (too short).`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new KMSInternalException(`The sealed ${what} does not open under this vault's root key: the store was altered or belongs elsewhere.`, { cause: err });
  }
}

const materialAad = (vaultId: string, keyId: string, versionId: string) => `keyvault/v1/key-material|${vaultId}|${keyId}|${versionId}`;
const secretAad = (vaultId: string, secretId: string, kind: string) => `keyvault/v1/secret|${vaultId}|${kind}|${secretId}`;

export function sealKeyMaterial(sealKey: Buffer, vaultId: string, keyId: string, versionId: string, material: Buffer): string {
  return seal(sealKey, materialAad(vaultId, keyId, versionId), material);
}

export function openKeyMaterial(sealKey: Buffer, vaultId: string, keyId: string, versionId: string, sealed: string): Buffer {
  const material = open(sealKey, materialAad(vaultId, keyId, versionId), sealed, `material of key ${keyId} version ${versionId}`);
  if (material.length !== 32) throw new KMSInternalException(`Key material of ${keyId}/${versionId} has the wrong length.`);
  return material;
}

export function sealSecret(sealKey: Buffer, vaultId: string, secretId: string, kind: string, secret: Buffer): string {
  return seal(sealKey, secretAad(vaultId, secretId, kind), secret);
}

export function openSecret(sealKey: Buffer, vaultId: string, secretId: string, kind: string, sealed: string): Buffer {
  return open(sealKey, secretAad(vaultId, secretId, kind), sealed, `secret ${secretId}`);
}
