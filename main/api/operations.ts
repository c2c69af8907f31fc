/**
 * The KMS operations the endpoint serves, each mapped onto one VaultService call: request fields
 * in (key names translated from AWS ARNs), response out in the AWS shape. Real KMS operations the
 * vault does not offer answer UnsupportedOperationException; anything else is unknown.
 */
import { randomBytes } from 'node:crypto';
import type * as Api from '../core/api.js';
import { UnsupportedOperationException, ValidationException } from '../core/errors.js';
import type { KeyTag } from '../core/keyTags.js';
import { paginate, sortedBy, type PageRules } from '../core/pagination.js';
import { validateNewTags } from '../vault/keyAttributes.js';
import type { VaultService } from '../vault/vaultService.js';
import { ApiError } from './apiErrors.js';
import type { AwsNames } from './awsNames.js';
import { awsKeyMetadata, epochSeconds, onlySymmetricAlgorithm, refuseUnsupported } from './kmsShapes.js';

export interface OperationContext {
  service: VaultService;
  names: AwsNames;
}
type Request = Record<string, unknown>;
type Operation = (ctx: OperationContext, req: Request) => Promise<Record<string, unknown>>;

const SYMMETRIC = 'SYMMETRIC_DEFAULT';
const LIST_KEYS: PageRules = { defaultLimit: 100, maxLimit: 1000 };
const LIST_ALIASES: PageRules = { defaultLimit: 50, maxLimit: 100 };
const LIST_ROTATIONS: PageRules = { defaultLimit: 100, maxLimit: 1000 };
const LIST_TAGS: PageRules = { defaultLimit: 50, maxLimit: 50 };

const str = (v: unknown): string => v as string; // the service validates types and reports them
const keyIn = (ctx: OperationContext, v: unknown): string => str(ctx.names.toVault(v));
const context = (v: unknown): Api.EncryptionContext | undefined => v as Api.EncryptionContext | undefined;
const page = <T>(p: { items: T[]; Truncated: boolean; NextMarker?: string }, field: string) => ({
  [field]: p.items,
  Truncated: p.Truncated,
  ...(p.NextMarker !== undefined ? { NextMarker: p.NextMarker } : {}),
});
const algorithmChecks = (...fields: string[]) => Object.fromEntries(fields.map((f) => [f, onlySymmetricAlgorithm]));
const notOffered = (what: string) => () => `${what} are not offered by Key Vault.`;

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  async CreateKey(ctx, req) {
    refuseUnsupported(req, {
      KeySpec: (v) => (v === SYMMETRIC ? undefined : `Key Vault offers symmetric keys only (SYMMETRIC_DEFAULT), not ${String(v)}.`),
      CustomerMasterKeySpec: (v) => (v === SYMMETRIC ? undefined : `Key Vault offers symmetric keys only, not ${String(v)}.`),
      KeyUsage: (v) => (v === 'ENCRYPT_DECRYPT' ? undefined : `Key Vault keys are for ENCRYPT_DECRYPT only, not ${String(v)}.`),
      Origin: (v) => (v === 'AWS_KMS' || v === 'EXTERNAL' ? undefined : `Origin ${String(v)} is not offered (AWS_KMS or EXTERNAL).`),
      MultiRegion: (v) => (v === false ? undefined : 'multi-Region keys are not offered by Key Vault.'),
      Policy: notOffered('Key policies'),
      CustomKeyStoreId: notOffered('Custom key stores'),
      XksKeyId: notOffered('External key stores'),
    });
    const tags: KeyTag[] | undefined = req.Tags === undefined ? undefined : validateNewTags(req.Tags);
    const created = await ctx.service.createKey({
      Description: req.Description as string | undefined,
      Origin: req.Origin === 'EXTERNAL' ? 'EXTERNAL' : 'VAULT',
    });
    if (tags) await ctx.service.tagResource({ KeyId: created.KeyMetadata.KeyId, Tags: tags });
    return { KeyMetadata: awsKeyMetadata(created.KeyMetadata, ctx.names.accountId) };
  },
  async DescribeKey(ctx, req) {
    const r = await ctx.service.describeKey({ KeyId: keyIn(ctx, req.KeyId) });
    return { KeyMetadata: awsKeyMetadata(r.KeyMetadata, ctx.names.accountId) };
  },
  async ListKeys(ctx, req) {
    const all = sortedBy((await ctx.service.listKeys()).Keys, (k) => k.KeyId);
    return page(
      paginate(all, (k) => k.KeyId, req, LIST_KEYS),
      'Keys',
    );
  },
  async EnableKey(ctx, req) {
    await ctx.service.enableKey({ KeyId: keyIn(ctx, req.KeyId) });
    return {};
  },
  async DisableKey(ctx, req) {
    await ctx.service.disableKey({ KeyId: keyIn(ctx, req.KeyId) });
    return {};
  },
  async ScheduleKeyDeletion(ctx, req) {
    const r = await ctx.service.scheduleKeyDeletion({ KeyId: keyIn(ctx, req.KeyId), PendingWindowInDays: req.PendingWindowInDays as number | undefined });
    return { KeyId: r.KeyId, DeletionDate: epochSeconds(r.DeletionDate), KeyState: r.KeyState, PendingWindowInDays: r.PendingWindowInDays };
  },
  async CancelKeyDeletion(ctx, req) {
    return { ...(await ctx.service.cancelKeyDeletion({ KeyId: keyIn(ctx, req.KeyId) })) };
  },
  async UpdateKeyDescription(ctx, req) {
    return ctx.service.updateKeyDescription({ KeyId: keyIn(ctx, req.KeyId), Description: str(req.Description) });
  },
  async CreateAlias(ctx, req) {
    return ctx.service.createAlias({ AliasName: str(req.AliasName), TargetKeyId: keyIn(ctx, req.TargetKeyId) });
  },
  async UpdateAlias(ctx, req) {
    return ctx.service.updateAlias({ AliasName: str(req.AliasName), TargetKeyId: keyIn(ctx, req.TargetKeyId) });
  },
  async DeleteAlias(ctx, req) {
    return ctx.service.deleteAlias({ AliasName: str(req.AliasName) });
  },
  async ListAliases(ctx, req) {
    let aliases = (await ctx.service.listAliases()).Aliases;
    if (req.KeyId !== undefined) {
      const keyId = ctx.service.resolveKeyRecord(keyIn(ctx, req.KeyId)).KeyId;
      aliases = aliases.filter((a) => a.TargetKeyId === keyId);
    }
    const sorted = sortedBy(aliases, (a) => a.AliasName);
    const p = paginate(sorted, (a) => a.AliasName, req, LIST_ALIASES);
    return page({ ...p, items: p.items.map((a) => ({ ...a, CreationDate: epochSeconds(a.CreationDate) })) }, 'Aliases');
  },
  async EnableKeyRotation(ctx, req) {
    return ctx.service.enableKeyRotation({ KeyId: keyIn(ctx, req.KeyId), RotationPeriodInDays: req.RotationPeriodInDays as number | undefined });
  },
  async DisableKeyRotation(ctx, req) {
    return ctx.service.disableKeyRotation({ KeyId: keyIn(ctx, req.KeyId) });
  },
  async GetKeyRotationStatus(ctx, req) {
    const r = await ctx.service.getKeyRotationStatus({ KeyId: keyIn(ctx, req.KeyId) });
    return { ...r, ...(r.NextRotationDate !== undefined ? { NextRotationDate: epochSeconds(r.NextRotationDate) } : {}) };
  },
  async RotateKeyOnDemand(ctx, req) {
    const r = await ctx.service.rotateKeyOnDemand({ KeyId: keyIn(ctx, req.KeyId) });
    return { KeyId: r.KeyId };
  },
  async ListKeyRotations(ctx, req) {
    if (req.IncludeKeyMaterial !== undefined && req.IncludeKeyMaterial !== 'ROTATIONS_ONLY') {
      throw new UnsupportedOperationException('IncludeKeyMaterial: only ROTATIONS_ONLY is offered (Key Vault keys have no imported-material history).');
    }
    const rotations = (await ctx.service.listKeyRotations({ KeyId: keyIn(ctx, req.KeyId) })).Rotations;
    const sortKey = (r: Api.RotationEntry) => `${r.RotationDate}|${r.KeyVersionId}`;
    const p = paginate(sortedBy(rotations, sortKey), sortKey, req, LIST_ROTATIONS);
    const items = p.items.map((r) => ({
      KeyId: r.KeyId,
      KeyMaterialId: r.KeyVersionId,
      RotationDate: epochSeconds(r.RotationDate),
      RotationType: r.RotationType,
    }));
    return page({ ...p, items }, 'Rotations');
  },
  async Encrypt(ctx, req) {
    refuseUnsupported(req, { ...algorithmChecks('EncryptionAlgorithm'), DryRun: (v) => (v === false ? undefined : 'dry runs are not offered.') });
    const r = await ctx.service.encrypt({ KeyId: keyIn(ctx, req.KeyId), Plaintext: str(req.Plaintext), EncryptionContext: context(req.EncryptionContext) });
    return { CiphertextBlob: r.CiphertextBlob, KeyId: r.KeyId, EncryptionAlgorithm: SYMMETRIC };
  },
  async Decrypt(ctx, req) {
    refuseUnsupported(req, {
      ...algorithmChecks('EncryptionAlgorithm'),
      Recipient: notOffered('Nitro Enclave recipients'),
      DryRun: (v) => (v === false ? undefined : 'dry runs are not offered.'),
    });
    const r = await ctx.service.decrypt({
      CiphertextBlob: str(req.CiphertextBlob),
      EncryptionContext: context(req.EncryptionContext),
      KeyId: req.KeyId === undefined ? undefined : keyIn(ctx, req.KeyId),
    });
    return { KeyId: r.KeyId, Plaintext: r.Plaintext, EncryptionAlgorithm: SYMMETRIC, KeyMaterialId: r.KeyVersionId };
  },
  async ReEncrypt(ctx, req) {
    refuseUnsupported(req, {
      ...algorithmChecks('SourceEncryptionAlgorithm', 'DestinationEncryptionAlgorithm'),
      DryRun: (v) => (v === false ? undefined : 'dry runs are not offered.'),
    });
    const r = await ctx.service.reEncrypt({
      CiphertextBlob: str(req.CiphertextBlob),
      SourceEncryptionContext: context(req.SourceEncryptionContext),
      SourceKeyId: req.SourceKeyId === undefined ? undefined : keyIn(ctx, req.SourceKeyId),
      DestinationKeyId: keyIn(ctx, req.DestinationKeyId),
      DestinationEncryptionContext: context(req.DestinationEncryptionContext),
    });
    return {
      CiphertextBlob: r.CiphertextBlob,
      SourceKeyId: r.SourceKeyId,
      KeyId: r.KeyId,
      SourceEncryptionAlgorithm: SYMMETRIC,
      DestinationEncryptionAlgorithm: SYMMETRIC,
      SourceKeyMaterialId: r.SourceKeyVersionId,
      DestinationKeyMaterialId: r.KeyVersionId,
    };
  },
  async GenerateDataKey(ctx, req) {
    refuseUnsupported(req, { Recipient: notOffered('Nitro Enclave recipients'), DryRun: (v) => (v === false ? undefined : 'dry runs are not offered.') });
    const r = await ctx.service.generateDataKey(dataKeyRequest(ctx, req));
    return { CiphertextBlob: r.CiphertextBlob, Plaintext: r.Plaintext, KeyId: r.KeyId, KeyMaterialId: r.KeyVersionId };
  },
  async GenerateDataKeyWithoutPlaintext(ctx, req) {
    refuseUnsupported(req, { DryRun: (v) => (v === false ? undefined : 'dry runs are not offered.') });
    const r = await ctx.service.generateDataKeyWithoutPlaintext(dataKeyRequest(ctx, req));
    return { CiphertextBlob: r.CiphertextBlob, KeyId: r.KeyId, KeyMaterialId: r.KeyVersionId };
  },
  async GenerateRandom(ctx, req) {
    refuseUnsupported(req, { CustomKeyStoreId: notOffered('Custom key stores'), Recipient: notOffered('Nitro Enclave recipients') });
    const n = req.NumberOfBytes;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1024) {
      throw new ValidationException(`NumberOfBytes must be a whole number from 1 to 1024; got ${String(n)}.`);
    }
    return ctx.service.audited('GenerateRandom', undefined, async () => ({ Plaintext: randomBytes(n).toString('base64') }));
  },
  async TagResource(ctx, req) {
    return ctx.service.tagResource({ KeyId: keyIn(ctx, req.KeyId), Tags: req.Tags as KeyTag[] });
  },
  async UntagResource(ctx, req) {
    return ctx.service.untagResource({ KeyId: keyIn(ctx, req.KeyId), TagKeys: req.TagKeys as string[] });
  },
  async ListResourceTags(ctx, req) {
    const tags = (await ctx.service.listResourceTags({ KeyId: keyIn(ctx, req.KeyId) })).Tags;
    return page(
      paginate(
        sortedBy(tags, (t) => t.TagKey),
        (t) => t.TagKey,
        req,
        LIST_TAGS,
      ),
      'Tags',
    );
  },
};

function dataKeyRequest(ctx: OperationContext, req: Request): Api.GenerateDataKeyRequest {
  return {
    KeyId: keyIn(ctx, req.KeyId),
    KeySpec: req.KeySpec as Api.GenerateDataKeyRequest['KeySpec'],
    NumberOfBytes: req.NumberOfBytes as number | undefined,
    EncryptionContext: context(req.EncryptionContext),
  };
}

/** Real KMS operations (botocore's KMS model, 2014-11-01) the vault does not offer, with the reason. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    [
      'ConnectCustomKeyStore',
      'CreateCustomKeyStore',
      'DeleteCustomKeyStore',
      'DescribeCustomKeyStores',
      'DisconnectCustomKeyStore',
      'UpdateCustomKeyStore',
    ].map((op) => [op, 'custom key stores']),
  ),
  ...Object.fromEntries(['CreateGrant', 'ListGrants', 'ListRetirableGrants', 'RetireGrant', 'RevokeGrant'].map((op) => [op, 'grants'])),
  ...Object.fromEntries(['GetKeyPolicy', 'ListKeyPolicies', 'PutKeyPolicy'].map((op) => [op, 'key policies'])),
  ...Object.fromEntries(
    ['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'GetPublicKey', 'Sign', 'Verify', 'DeriveSharedSecret', 'GenerateMac', 'VerifyMac'].map(
      (op) => [op, 'asymmetric and HMAC keys'],
    ),
  ),
  ...Object.fromEntries(['ReplicateKey', 'UpdatePrimaryRegion'].map((op) => [op, 'multi-Region keys'])),
  GetParametersForImport: 'wrapped key-material import over the API (use `keyvault import-key-material`)',
  ImportKeyMaterial: 'wrapped key-material import over the API (use `keyvault import-key-material`)',
  DeleteImportedKeyMaterial: 'deleting imported key material',
  GetKeyLastUsage: 'key last-usage tracking',
};

/** The handler of an `X-Amz-Target` operation name, or the right error for one it cannot serve. */
export function findOperation(name: string): Operation {
  if (Object.hasOwn(OPERATIONS, name)) return OPERATIONS[name]!;
  const reason = Object.hasOwn(UNSUPPORTED, name) ? UNSUPPORTED[name] : undefined;
  if (reason !== undefined) throw new UnsupportedOperationException(`${name} is a KMS operation Key Vault does not offer (${reason}).`);
  throw new ApiError('UnknownOperationException', `Unknown operation ${name}.`);
}
