/**
 * The shape every IPC request must have before it reaches the vault service. One schema per
 * operation in OPERATION_NAMES; objects are strict (an unknown field is an error, not ignored),
 * strings have upper bounds, and `void` operations accept nothing but `undefined`.
 *
 * The schemas check form, not meaning: whether a KeyId names an existing key, or whether an
 * interval lies within 7 to 2560 days, is the service's call (it gives the precise KMS error).
 */
import { z } from 'zod';
import type { OperationName, VaultOperations } from '../../preload/contract.js';

/** Largest plaintext Encrypt accepts, as in KMS: 4096 bytes. */
export const MAX_PLAINTEXT_BYTES = 4096;
/** Generous bound on a ciphertext blob (KMS allows 6144 bytes; our header adds ids). */
export const MAX_CIPHERTEXT_BYTES = 12 * 1024;
export const MAX_KEY_ID_LENGTH = 2048;
export const MAX_DESCRIPTION_LENGTH = 8192;
export const MAX_ALIAS_LENGTH = 256;
export const MAX_PATH_LENGTH = 4096;
export const MAX_PASSPHRASE_LENGTH = 1024;
export const MAX_RECIPIENT_LENGTH = 8192;
export const MAX_IDENTITY_FILE_LENGTH = 64 * 1024;
export const MAX_CONTEXT_ENTRIES = 64;

/** Bytes a well-formed base64 string decodes to. */
export function base64DecodedLength(s: string): number {
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - padding;
}

const keyId = z.string().min(1).max(MAX_KEY_ID_LENGTH);
const keyVersionId = z.string().min(1).max(MAX_KEY_ID_LENGTH);
const aliasName = z.string().min(1).max(MAX_ALIAS_LENGTH);
const path = z.string().min(1).max(MAX_PATH_LENGTH);
const wholeNumber = z.number().int().safe();
const rotationInterval = z.union([z.string().min(1).max(32), wholeNumber]);
const base64Of = (maxBytes: number, minBytes = 1) =>
  z
    .base64()
    // Cheap bound first, so an enormous string is not inspected further.
    .max(Math.ceil(maxBytes / 3) * 4, { message: `must encode at most ${maxBytes} bytes` })
    .refine((s) => base64DecodedLength(s) >= minBytes, { message: `must encode at least ${minBytes} byte(s)` })
    .refine((s) => base64DecodedLength(s) <= maxBytes, { message: `must encode at most ${maxBytes} bytes` });
const encryptionContext = z
  .record(z.string().min(1).max(256), z.string().max(4096))
  .refine((ctx) => Object.keys(ctx).length <= MAX_CONTEXT_ENTRIES, {
    message: `EncryptionContext has more than ${MAX_CONTEXT_ENTRIES} entries`,
  });
const nothing = z.undefined();
const keyIdOnly = z.strictObject({ KeyId: keyId });

type RequestSchemas = { [O in OperationName]: z.ZodType<VaultOperations[O]['req']> };

export const requestSchemas = {
  getVaultInfo: nothing,
  createKey: z.strictObject({
    Description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
    Origin: z.enum(['VAULT', 'EXTERNAL']).optional(),
    EnableAutomaticRotation: z.boolean().optional(),
    RotationInterval: rotationInterval.optional(),
    AliasName: aliasName.optional(),
  }),
  describeKey: keyIdOnly,
  listKeys: nothing,
  listKeyDetails: nothing,
  enableKey: keyIdOnly,
  disableKey: keyIdOnly,
  scheduleKeyDeletion: z.strictObject({ KeyId: keyId, PendingWindowInDays: wholeNumber.optional() }),
  cancelKeyDeletion: keyIdOnly,
  createAlias: z.strictObject({ AliasName: aliasName, TargetKeyId: keyId }),
  deleteAlias: z.strictObject({ AliasName: aliasName }),
  listAliases: nothing,
  enableKeyRotation: z.strictObject({ KeyId: keyId, RotationPeriodInDays: wholeNumber.optional() }),
  disableKeyRotation: keyIdOnly,
  getKeyRotationStatus: keyIdOnly,
  updateRotationPolicy: z.strictObject({
    KeyId: keyId,
    EnableAutomaticRotation: z.boolean(),
    RotationInterval: rotationInterval.optional(),
  }),
  rotateKeyOnDemand: keyIdOnly,
  listKeyRotations: keyIdOnly,
  listKeyVersions: keyIdOnly,
  describeKeyVersion: z.strictObject({ KeyId: keyId, KeyVersionId: keyVersionId }),
  // The service checks for exactly 32 bytes; the schema only bounds the size.
  importKeyMaterial: z.strictObject({ KeyId: keyId, KeyMaterial: base64Of(64) }),
  encrypt: z.strictObject({
    KeyId: keyId,
    Plaintext: base64Of(MAX_PLAINTEXT_BYTES),
    EncryptionContext: encryptionContext.optional(),
  }),
  decrypt: z.strictObject({
    CiphertextBlob: base64Of(MAX_CIPHERTEXT_BYTES),
    EncryptionContext: encryptionContext.optional(),
    KeyId: keyId.optional(),
  }),
  reEncrypt: z.strictObject({
    CiphertextBlob: base64Of(MAX_CIPHERTEXT_BYTES),
    SourceEncryptionContext: encryptionContext.optional(),
    SourceKeyId: keyId.optional(),
    DestinationKeyId: keyId,
    DestinationEncryptionContext: encryptionContext.optional(),
  }),
  listAuditEvents: z.strictObject({
    KeyId: keyId.optional(),
    Limit: wholeNumber.min(1).max(10_000).optional(),
  }),
  runFileJob: z.strictObject({
    JobId: z.uuid(),
    Operation: z.enum(['Encrypt', 'Decrypt', 'ReEncrypt', 'Inspect']),
    InputPath: path,
    OutputPath: path.optional(),
    KeyId: keyId.optional(),
    Overwrite: z.boolean().optional(),
    Armor: z.boolean().optional(),
  }),
  cancelFileJob: z.strictObject({ JobId: z.uuid() }),
  addRecoveryRecipient: z.strictObject({ Recipient: z.string().min(1).max(MAX_RECIPIENT_LENGTH) }),
  removeRecoveryRecipient: z.strictObject({ Recipient: z.string().min(1).max(MAX_RECIPIENT_LENGTH) }),
  listRecoveryRecipients: nothing,
  addIdentity: z.strictObject({ IdentityFileText: z.string().min(1).max(MAX_IDENTITY_FILE_LENGTH) }),
  removeIdentity: z.strictObject({ Id: z.string().min(1).max(256) }),
  listIdentities: nothing,
  getRecoveryStatus: nothing,
  // An empty passphrase removes the recovery passphrase, so no lower bound here.
  setRecoveryPassphrase: z.strictObject({ Passphrase: z.string().max(MAX_PASSPHRASE_LENGTH) }),
  exportBackup: z.strictObject({
    OutPath: path,
    Passphrase: z.string().min(1).max(MAX_PASSPHRASE_LENGTH),
    Overwrite: z.boolean().optional(),
  }),
  getApiEndpointStatus: nothing,
  setApiEndpoint: z.strictObject({ Enabled: z.boolean(), Port: wholeNumber.min(1).max(65535).optional() }),
  rotateApiCredentials: nothing,
  getAwsProfile: nothing,
} satisfies RequestSchemas;

export type ValidationOutcome<T> = { ok: true; value: T } | { ok: false; message: string };

/** Checks one request against its operation's schema; the message names every bad field. */
export function validateRequest<O extends OperationName>(op: O, input: unknown): ValidationOutcome<VaultOperations[O]['req']> {
  // Each entry is typed against its own request by the `satisfies` above; indexing by a generic
  // key loses that link, so read it back as a plain schema.
  const schema: z.ZodType = requestSchemas[op];
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data as VaultOperations[O]['req'] };
  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'request';
    return `${where}: ${issue.message}`;
  });
  return { ok: false, message: `Invalid ${op} request. ${problems.join('; ')}` };
}
