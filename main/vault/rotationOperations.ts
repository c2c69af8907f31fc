/** Rotation operations: the policy, on-demand rotation, and the key's versions and rotations. */
import type * as Api from '../core/api.js';
import { NotFoundException, ValidationException } from '../core/errors.js';
import { isUuid, keyArn } from '../core/keyIdentifier.js';
import { intervalDays, parseRotationInterval } from '../core/rotationInterval.js';
import { applyPolicyChange, keyRotationEnabled, nextRotationDate } from '../core/rotationSchedule.js';
import { checkRotationChangeAllowed, refuseExternalRotation } from './keyRules.js';
import { versionEntry } from './keyMetadata.js';
import type { VaultContext } from './vaultContext.js';

export async function enableKeyRotation(ctx: VaultContext, req: Api.EnableKeyRotationRequest): Promise<Record<string, never>> {
  const interval = req?.RotationPeriodInDays !== undefined ? parseRotationInterval(req.RotationPeriodInDays) : undefined;
  await ctx.mutateKey('EnableKeyRotation', req, (key, now, doc) => {
    checkRotationChangeAllowed(key);
    const due = applyPolicyChange(key, { enabled: true, intervalSeconds: interval }, now);
    return due ? [ctx.rotateInDoc(doc, key, 'AUTOMATIC', now)] : [];
  });
  return {};
}

export async function disableKeyRotation(ctx: VaultContext, req: Api.KeyIdRequest): Promise<Record<string, never>> {
  await ctx.mutateKey('DisableKeyRotation', req, (key, now) => {
    checkRotationChangeAllowed(key);
    applyPolicyChange(key, { enabled: false }, now);
    return [];
  });
  return {};
}

export async function updateRotationPolicy(ctx: VaultContext, req: Api.UpdateRotationPolicyRequest): Promise<Api.KeyMetadataResponse> {
  if (typeof req?.EnableAutomaticRotation !== 'boolean') {
    throw new ValidationException('EnableAutomaticRotation must be true or false.');
  }
  const interval = req.RotationInterval !== undefined ? parseRotationInterval(req.RotationInterval) : undefined;
  return ctx.mutateKey('UpdateRotationPolicy', req, (key, now, doc) => {
    checkRotationChangeAllowed(key);
    const due = applyPolicyChange(key, { enabled: req.EnableAutomaticRotation, intervalSeconds: interval }, now);
    return due ? [ctx.rotateInDoc(doc, key, 'AUTOMATIC', now)] : [];
  });
}

export async function getKeyRotationStatus(ctx: VaultContext, req: Api.KeyIdRequest): Promise<Api.GetKeyRotationStatusResponse> {
  return ctx.audited('GetKeyRotationStatus', req?.KeyId, async () => {
    const doc = ctx.store.read();
    const key = ctx.resolveKey(doc, req?.KeyId);
    refuseExternalRotation(key);
    const enabled = keyRotationEnabled(key);
    const next = nextRotationDate(key);
    return {
      KeyId: keyArn(doc.VaultId, key.KeyId),
      KeyRotationEnabled: enabled,
      ...(enabled ? { RotationPeriodInDays: intervalDays(key.Rotation.IntervalSeconds) } : {}),
      ...(enabled && next ? { NextRotationDate: next.toISOString() } : {}),
    };
  });
}

export async function rotateKeyOnDemand(ctx: VaultContext, req: Api.KeyIdRequest): Promise<Api.RotateKeyOnDemandResponse> {
  let result: Api.RotateKeyOnDemandResponse | undefined;
  await ctx.mutateKey('RotateKeyOnDemand', req, (key, now, doc) => {
    checkRotationChangeAllowed(key);
    const rotation = ctx.rotateInDoc(doc, key, 'ON_DEMAND', now);
    result = { KeyId: keyArn(doc.VaultId, key.KeyId), KeyVersionId: rotation.version.KeyVersionId };
    return [rotation];
  });
  return result!;
}

export async function listKeyRotations(ctx: VaultContext, req: Api.KeyIdRequest): Promise<Api.ListKeyRotationsResponse> {
  return ctx.audited('ListKeyRotations', req?.KeyId, async () => {
    const doc = ctx.store.read();
    const key = ctx.resolveKey(doc, req?.KeyId);
    refuseExternalRotation(key);
    return {
      Rotations: key.Versions.filter((v) => v.RotationType !== 'INITIAL').map((v) => ({
        KeyId: key.KeyId,
        KeyVersionId: v.KeyVersionId,
        RotationDate: v.CreationDate,
        RotationType: v.RotationType,
      })),
    };
  });
}

export async function listKeyVersions(ctx: VaultContext, req: Api.KeyIdRequest): Promise<Api.ListKeyVersionsResponse> {
  return ctx.audited('ListKeyVersions', req?.KeyId, async () => {
    const doc = ctx.store.read();
    const key = ctx.resolveKey(doc, req?.KeyId);
    return { KeyVersions: key.Versions.map((v) => versionEntry(key, v)) };
  });
}

export async function describeKeyVersion(ctx: VaultContext, req: Api.DescribeKeyVersionRequest): Promise<Api.DescribeKeyVersionResponse> {
  return ctx.audited('DescribeKeyVersion', req?.KeyId, async () => {
    const doc = ctx.store.read();
    const key = ctx.resolveKey(doc, req?.KeyId);
    if (typeof req.KeyVersionId !== 'string' || !isUuid(req.KeyVersionId)) {
      throw new ValidationException('KeyVersionId must be a key version id (UUID).');
    }
    const version = key.Versions.find((v) => v.KeyVersionId === req.KeyVersionId);
    if (!version) throw new NotFoundException(`Key ${key.KeyId} has no version ${req.KeyVersionId}.`);
    return { KeyVersion: versionEntry(key, version) };
  });
}
