/**
 * The vault's responses in the shapes of the AWS KMS API: timestamps as epoch seconds, AWS enum
 * values (Origin AWS_KMS, KeyManager AWS for the vault-managed key), the fields SDKs expect.
 */
import type * as Api from '../core/api.js';
import { UnsupportedOperationException } from '../core/errors.js';

/** ISO-8601 → epoch seconds (what the JSON 1.1 protocol carries for timestamps). */
export function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

export function awsKeyMetadata(m: Api.KeyMetadata, accountId: string): Record<string, unknown> {
  return {
    AWSAccountId: accountId,
    KeyId: m.KeyId,
    Arn: m.Arn,
    CreationDate: epochSeconds(m.CreationDate),
    Enabled: m.Enabled,
    Description: m.Description,
    KeyUsage: m.KeyUsage,
    KeyState: m.KeyState,
    ...(m.DeletionDate !== undefined ? { DeletionDate: epochSeconds(m.DeletionDate) } : {}),
    ...(m.PendingDeletionWindowInDays !== undefined ? { PendingDeletionWindowInDays: m.PendingDeletionWindowInDays } : {}),
    Origin: m.Origin === 'VAULT' ? 'AWS_KMS' : 'EXTERNAL',
    ...(m.Origin === 'EXTERNAL' ? { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } : {}),
    KeyManager: m.KeyManager === 'VAULT' ? 'AWS' : 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: m.KeySpec,
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    ...(m.PrimaryKeyVersion !== undefined ? { CurrentKeyMaterialId: m.PrimaryKeyVersion } : {}),
  };
}

/** Refuses request fields asking for something the vault does not offer. */
export function refuseUnsupported(req: Record<string, unknown>, checks: Record<string, (v: unknown) => string | undefined>): void {
  for (const [field, check] of Object.entries(checks)) {
    const v = req[field];
    if (v === undefined || v === null) continue;
    const why = check(v);
    if (why !== undefined) throw new UnsupportedOperationException(`${field}: ${why}`);
  }
}

export const onlySymmetricAlgorithm = (v: unknown): string | undefined =>
  v === 'SYMMETRIC_DEFAULT' ? undefined : `Key Vault offers symmetric keys only (SYMMETRIC_DEFAULT), not ${String(v)}.`;
