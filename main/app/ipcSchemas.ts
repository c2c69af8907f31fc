/**
 * The shape every IPC request must have before it reaches the vault service. One schema per
 * operation in OPERATION_NAMES; objects are strict (an unknown field is an error, not ignored),
 * strings have upper bounds, and `void` operations accept nothing but `undefined`.
 *
 * The schemas check form, not meaning: whether a KeyId names an existing key, or whether an
 * interval lies within 7 to 2560 days, is the service's call (it gives the precise KMS error).
 */
import { z } from 'zod';
import type { OperationName, RegisterDropRequest, VaultOperations } from '../../preload/contract.js';
import { reservedContextKey } from '../crypto/encryptionContext.js';

import {
  MAX_PLAINTEXT_BYTES,
  MAX_CIPHERTEXT_BYTES,
  MAX_KEY_ID_LENGTH,
  MAX_DESCRIPTION_LENGTH,
  MAX_ALIAS_LENGTH,
  MAX_PATH_LENGTH,
  MAX_PASSPHRASE_LENGTH,
  MAX_RECIPIENT_LENGTH,
  MAX_IDENTITY_FILE_LENGTH,
  MAX_CONTEXT_ENTRIES,
  MAX_AUDIT_LIMIT,
} from '../core/limits.js';
import { MAX_LIST_FILES_LIMIT } from '../core/fileInventory.js';
import { MAX_VERSION_DESTRUCTION_DAYS, MIN_VERSION_DESTRUCTION_DAYS } from '../core/versionStates.js';

/** Bytes a well-formed base64 string decodes to. */
export function base64DecodedLength(s: string): number {
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - padding;
}

const keyId = z.string().min(1).max(MAX_KEY_ID_LENGTH);
const keyVersionId = z.string().min(1).max(MAX_KEY_ID_LENGTH);
const aliasName = z.string().min(1).max(MAX_ALIAS_LENGTH);
const path = z.string().min(1).max(MAX_PATH_LENGTH);
/** A file token (fileTokens.ts): 32 random bytes, base64url. */
const fileToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { message: 'must be a file handle the app issued' });
const passphrase = z.string().min(1).max(MAX_PASSPHRASE_LENGTH);
export const MAX_DROPPED_FILES = 1000;
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
  .unknown()
  .superRefine((ctx, check) => {
    const bad = reservedContextKey(ctx);
    if (bad !== undefined) check.addIssue({ code: 'custom', message: `the key "${bad}" is reserved and cannot be used in an encryption context` });
  })
  .pipe(
    z.record(z.string().min(1).max(256), z.string().max(4096)).refine((ctx) => Object.keys(ctx).length <= MAX_CONTEXT_ENTRIES, {
      message: `EncryptionContext has more than ${MAX_CONTEXT_ENTRIES} entries`,
    }),
  );
const nothing = z.undefined();
const keyIdOnly = z.strictObject({ KeyId: keyId });
// Retiring versions (issue 12): the page names keys and versions by their ids, never by alias.
const keyVersionRef = z.strictObject({ KeyId: z.uuid(), KeyVersionId: z.uuid() });
/** A list-files marker: base64url of an inventory path. */
const listMarker = z.string().regex(/^[A-Za-z0-9_-]{1,8192}$/, { message: 'must be a NextMarker from list-files' });

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
    Limit: wholeNumber.min(1).max(MAX_AUDIT_LIMIT).optional(),
  }),
  pickFiles: nothing,
  // No path field: files are named by the tokens main issued (an InputPath is an unknown field).
  runFileJob: z.strictObject({
    JobId: z.uuid(),
    Operation: z.enum(['Encrypt', 'Decrypt', 'ReEncrypt', 'Inspect']),
    FileToken: fileToken,
    KeyId: keyId.optional(),
    Overwrite: z.boolean().optional(),
    Armor: z.boolean().optional(),
    SaveAs: z.boolean().optional(),
    KeepBoth: z.boolean().optional(),
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
  // Where to write and where to read are asked by main in native dialogs, never sent by the page.
  exportBackup: z.strictObject({ Passphrase: passphrase }),
  restoreBackup: z.strictObject({ Passphrase: passphrase }),
  getApiEndpointStatus: nothing,
  setApiEndpoint: z.strictObject({ Enabled: z.boolean(), Port: wholeNumber.min(1).max(65535).optional() }),
  rotateApiCredentials: nothing,
  getAwsProfile: nothing,
  takeOpenedFiles: nothing,
  // The sheet is never sent by the page: main writes the copy the service gave it.
  createRecoveryKey: z.strictObject({ Replace: z.boolean().optional() }),
  saveRecoverySheet: nothing,
  forgetRecoverySheet: nothing,
  // A job id only: main opens the folder of the output it wrote for that job, never a page's path.
  showInFolder: z.strictObject({ JobId: z.uuid() }),
  exportActivity: z.strictObject({
    Format: z.enum(['csv', 'json']),
    KeyId: keyId.optional(),
    Outcome: z.enum(['Success', 'Failure']).optional(),
    IncludeReads: z.boolean().optional(),
  }),
  pickFolder: nothing,
  checkClock: nothing,
  confirmClock: nothing,
  estimatePassphrase: z.strictObject({ Passphrase: passphrase }),
  disableKeyVersion: keyVersionRef,
  enableKeyVersion: keyVersionRef,
  scheduleKeyVersionDestruction: keyVersionRef.extend({
    PendingWindowInDays: wholeNumber.min(MIN_VERSION_DESTRUCTION_DAYS).max(MAX_VERSION_DESTRUCTION_DAYS).optional(),
    Force: z.boolean().optional(),
  }),
  cancelKeyVersionDestruction: keyVersionRef,
  listFiles: z.strictObject({
    KeyId: z.uuid().optional(),
    KeyVersionId: z.uuid().optional(),
    Stale: z.boolean().optional(),
    Limit: wholeNumber.min(1).max(MAX_LIST_FILES_LIMIT).optional(),
    Marker: listMarker.optional(),
  }),
  // The folder is asked for in main's native dialog; the page sends nothing.
  scanFiles: nothing,
  reEncryptFiles: z.strictObject({ JobId: z.uuid(), KeyId: z.uuid().optional(), ChooseFolder: z.boolean().optional() }),
} satisfies RequestSchemas;

const dropRequest = z.strictObject({ Paths: z.array(path).min(1).max(MAX_DROPPED_FILES) });

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

/** The preload's drop report (REGISTER_DROP_CHANNEL). */
export function validateDropRequest(input: unknown): ValidationOutcome<RegisterDropRequest> {
  const parsed = dropRequest.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, message: `Invalid drop. ${parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'request'}: ${i.message}`).join('; ')}` };
}
