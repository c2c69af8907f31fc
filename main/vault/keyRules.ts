/**
 * The key state rules: which keys may be used, changed, rotated or deleted, and which alias names
 * may be created. Pure checks that throw the KMS exception; the operation modules call them.
 */
import { DisabledException, KMSInvalidStateException, UnsupportedOperationException, ValidationException } from '../core/errors.js';
import { validateAliasName } from '../core/keyIdentifier.js';
import type { KeyRecord } from '../core/keyModel.js';
import { DEFAULT_KEY_ALIAS, KeyState, RESERVED_ALIAS_PREFIX } from '../core/keyModel.js';

/** Key state rules for using or changing a key. */
export function checkUsable(key: KeyRecord): void {
  switch (key.KeyState) {
    case KeyState.Enabled:
      return;
    case KeyState.Disabled:
      throw new DisabledException(`Key ${key.KeyId} is disabled.`);
    case KeyState.PendingDeletion:
      throw new KMSInvalidStateException(`Key ${key.KeyId} is pending deletion (on ${key.DeletionDate}); cancel the deletion to use it.`);
    case KeyState.PendingImport:
      throw new KMSInvalidStateException(`Key ${key.KeyId} is pending import: import its key material first.`);
  }
}

export function checkNewAliasName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new ValidationException('AliasName is required.');
  validateAliasName(name);
  if (name.startsWith(RESERVED_ALIAS_PREFIX)) {
    throw new ValidationException(`Alias names beginning with ${RESERVED_ALIAS_PREFIX} are reserved for Key Vault.`);
  }
}

export function refuseForVaultManaged(key: KeyRecord, verb: string): void {
  if (key.KeyManager === 'VAULT') {
    throw new UnsupportedOperationException(`Key ${key.KeyId} (${DEFAULT_KEY_ALIAS}) is managed by Key Vault and cannot be ${verb}.`);
  }
}

export function refuseExternalRotation(key: KeyRecord): void {
  if (key.Origin === 'EXTERNAL') {
    throw new UnsupportedOperationException(`Key ${key.KeyId} uses imported key material (Origin EXTERNAL), which does not support rotation.`);
  }
}

/** EnableKeyRotation, DisableKeyRotation, UpdateRotationPolicy and RotateKeyOnDemand. */
export function checkRotationChangeAllowed(key: KeyRecord): void {
  refuseExternalRotation(key);
  if (key.KeyManager === 'VAULT') {
    throw new UnsupportedOperationException(`The rotation of ${DEFAULT_KEY_ALIAS} is managed by Key Vault (always on, every 365 days).`);
  }
  checkUsable(key);
}

export function decodeBase64Field(value: unknown, field: string): Buffer {
  if (typeof value !== 'string') throw new ValidationException(`${field} must be a base64 string.`);
  if (value.length % 4 !== 0) throw new ValidationException(`${field} is not valid base64.`);
  const bytes = Buffer.from(value, 'base64');
  // Canonical base64 round-trips exactly (a native check, cheaper than the regex on the hot path);
  // anything else still gets the alphabet check, so non-canonical padding bits stay accepted.
  if (bytes.toString('base64') !== value && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new ValidationException(`${field} is not valid base64.`);
  }
  return bytes;
}
