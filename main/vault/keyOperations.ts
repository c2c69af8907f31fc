/** Key lifecycle operations: create, describe, list, enable, disable, schedule and cancel deletion, import material. */
import { randomUUID } from 'node:crypto';
import type * as Api from '../core/api.js';
import { AlreadyExistsException, KMSInvalidStateException, UnsupportedOperationException, ValidationException } from '../core/errors.js';
import { keyArn } from '../core/keyIdentifier.js';
import type { KeyRecord } from '../core/keyModel.js';
import { KeyState } from '../core/keyModel.js';
import { DEFAULT_PENDING_WINDOW_DAYS, MAX_DESCRIPTION_LENGTH, MAX_PENDING_WINDOW_DAYS, MIN_PENDING_WINDOW_DAYS } from '../core/limits.js';
import { DEFAULT_ROTATION_SECONDS, parseRotationInterval } from '../core/rotationInterval.js';
import { applyRotation, isRotationDue } from '../core/rotationSchedule.js';
import type { CreateKeyWithAliasRequest, ListKeyDetailsResponse } from '../core/serviceTypes.js';
import { checkNewAliasName, decodeBase64Field, refuseForVaultManaged } from './keyRules.js';
import { aliasesByKey, metadata } from './keyMetadata.js';
import type { VaultContext } from './vaultContext.js';

export async function createKey(ctx: VaultContext, req: CreateKeyWithAliasRequest = {}): Promise<Api.KeyMetadataResponse> {
  return ctx.audited('CreateKey', undefined, async () => {
    const origin = req.Origin ?? 'VAULT';
    if (origin !== 'VAULT' && origin !== 'EXTERNAL') {
      throw new ValidationException(`Origin must be VAULT or EXTERNAL, not "${String(origin)}".`);
    }
    const description = req.Description ?? '';
    if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH) {
      throw new ValidationException(`Description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters.`);
    }
    if (origin === 'EXTERNAL' && (req.EnableAutomaticRotation || req.RotationInterval !== undefined)) {
      throw new UnsupportedOperationException('Keys with imported material (Origin EXTERNAL) do not support automatic rotation.');
    }
    const intervalSeconds = req.RotationInterval !== undefined ? parseRotationInterval(req.RotationInterval) : DEFAULT_ROTATION_SECONDS;
    if (req.AliasName !== undefined) checkNewAliasName(req.AliasName);

    const now = ctx.nowIso();
    const keyId = randomUUID();
    const key: KeyRecord = {
      KeyId: keyId,
      Description: description,
      KeyState: origin === 'VAULT' ? KeyState.Enabled : KeyState.PendingImport,
      Origin: origin,
      KeyManager: 'CUSTOMER',
      CreationDate: now,
      Rotation: {
        Enabled: origin === 'VAULT' && req.EnableAutomaticRotation === true,
        IntervalSeconds: intervalSeconds,
        ...(origin === 'VAULT' && req.EnableAutomaticRotation ? { AnchorDate: now } : {}),
      },
      Versions: [],
    };
    const initial = origin === 'VAULT' ? ctx.newVersion(ctx.vaultId, keyId, now) : undefined;
    await ctx.transact((doc) => {
      if (req.AliasName !== undefined && doc.Aliases[req.AliasName]) {
        throw new AlreadyExistsException(`Alias ${req.AliasName} already exists.`);
      }
      if (initial) applyRotation(key, initial.record, 'INITIAL', new Date(now));
      doc.Keys[keyId] = key;
      if (req.AliasName !== undefined) {
        doc.Aliases[req.AliasName] = { AliasName: req.AliasName, TargetKeyId: keyId, CreationDate: now };
      }
    });
    if (initial) {
      ctx.cacheMaterial(initial.record.KeyVersionId, initial.material);
      ctx.audit.append({
        Time: now,
        Operation: 'Rotation',
        KeyId: keyId,
        KeyVersionId: initial.record.KeyVersionId,
        RotationType: 'INITIAL',
        Outcome: 'Success',
      });
    }
    ctx.changed();
    return { KeyMetadata: metadata(ctx.store.read(), ctx.store.read().Keys[keyId]!) };
  });
}

export async function describeKey(ctx: VaultContext, req: Api.KeyIdRequest): Promise<Api.KeyMetadataResponse> {
  return ctx.audited('DescribeKey', req?.KeyId, async () => {
    const doc = ctx.store.read();
    return { KeyMetadata: metadata(doc, ctx.resolveKey(doc, req?.KeyId)) };
  });
}

export async function listKeys(ctx: VaultContext): Promise<Api.ListKeysResponse> {
  const doc = ctx.store.read();
  return { Keys: Object.values(doc.Keys).map((k) => ({ KeyId: k.KeyId, KeyArn: keyArn(doc.VaultId, k.KeyId) })) };
}

export async function listKeyDetails(ctx: VaultContext): Promise<ListKeyDetailsResponse> {
  const doc = ctx.store.read();
  const byKey = aliasesByKey(doc);
  return { Keys: Object.values(doc.Keys).map((k) => metadata(doc, k, byKey)) };
}

export async function enableKey(ctx: VaultContext, req: Api.KeyIdRequest): Promise<Api.KeyMetadataResponse> {
  return ctx.mutateKey('EnableKey', req, (key, now, doc) => {
    if (key.KeyState === KeyState.Enabled) return [];
    if (key.KeyState !== KeyState.Disabled) {
      throw new KMSInvalidStateException(`Key ${key.KeyId} is ${key.KeyState} and cannot be enabled.`);
    }
    key.KeyState = KeyState.Enabled;
    // A schedule that fell due while the key was disabled rotates now; otherwise it resumes.
    return isRotationDue(key, now) ? [ctx.rotateInDoc(doc, key, 'AUTOMATIC', now)] : [];
  });
}

export async function disableKey(ctx: VaultContext, req: Api.KeyIdRequest): Promise<Api.KeyMetadataResponse> {
  return ctx.mutateKey('DisableKey', req, (key) => {
    refuseForVaultManaged(key, 'disabled');
    if (key.KeyState === KeyState.Disabled) return [];
    if (key.KeyState !== KeyState.Enabled) {
      throw new KMSInvalidStateException(`Key ${key.KeyId} is ${key.KeyState} and cannot be disabled.`);
    }
    key.KeyState = KeyState.Disabled;
    return [];
  });
}

export async function scheduleKeyDeletion(ctx: VaultContext, req: Api.ScheduleKeyDeletionRequest): Promise<Api.ScheduleKeyDeletionResponse> {
  const days = req?.PendingWindowInDays ?? DEFAULT_PENDING_WINDOW_DAYS;
  let result: Api.ScheduleKeyDeletionResponse | undefined;
  await ctx.mutateKey('ScheduleKeyDeletion', req, (key, now, doc) => {
    refuseForVaultManaged(key, 'deleted');
    if (!Number.isInteger(days) || days < MIN_PENDING_WINDOW_DAYS || days > MAX_PENDING_WINDOW_DAYS) {
      throw new ValidationException(
        `PendingWindowInDays must be a whole number from ${MIN_PENDING_WINDOW_DAYS} to ${MAX_PENDING_WINDOW_DAYS}; got ${String(days)}.`,
      );
    }
    if (key.KeyState === KeyState.PendingDeletion) {
      throw new KMSInvalidStateException(`Key ${key.KeyId} is already pending deletion (on ${key.DeletionDate}).`);
    }
    key.KeyState = KeyState.PendingDeletion;
    key.DeletionScheduledDate = now.toISOString();
    key.DeletionDate = new Date(now.getTime() + days * 86_400_000).toISOString();
    result = { KeyId: keyArn(doc.VaultId, key.KeyId), DeletionDate: key.DeletionDate, KeyState: key.KeyState, PendingWindowInDays: days };
    return [];
  });
  return result!;
}

export async function cancelKeyDeletion(ctx: VaultContext, req: Api.KeyIdRequest): Promise<Api.CancelKeyDeletionResponse> {
  let keyId = '';
  await ctx.mutateKey('CancelKeyDeletion', req, (key, _now, doc) => {
    if (key.KeyState !== KeyState.PendingDeletion) {
      throw new KMSInvalidStateException(`Key ${key.KeyId} is ${key.KeyState}, not pending deletion.`);
    }
    // As in AWS, a key whose deletion is cancelled comes back Disabled (PendingImport if it never had material).
    key.KeyState = key.Versions.length > 0 ? KeyState.Disabled : KeyState.PendingImport;
    delete key.DeletionDate;
    delete key.DeletionScheduledDate;
    keyId = keyArn(doc.VaultId, key.KeyId);
    return [];
  });
  return { KeyId: keyId };
}

export async function importKeyMaterial(ctx: VaultContext, req: Api.ImportKeyMaterialRequest): Promise<Api.KeyMetadataResponse> {
  const material = decodeBase64Field(req?.KeyMaterial, 'KeyMaterial');
  if (material.length !== 32) {
    throw new ValidationException(`KeyMaterial must be exactly 32 bytes (256 bits); got ${material.length}.`);
  }
  let versionId = '';
  const response = await ctx.mutateKey('ImportKeyMaterial', req, (key, now, doc) => {
    if (key.Origin !== 'EXTERNAL') {
      throw new UnsupportedOperationException(`Key ${key.KeyId} has Origin ${key.Origin}; only EXTERNAL keys take imported material.`);
    }
    if (key.KeyState !== KeyState.PendingImport) {
      throw new KMSInvalidStateException(`Key ${key.KeyId} is ${key.KeyState}: it already has its one version of key material.`);
    }
    const version = ctx.newVersion(doc.VaultId, key.KeyId, now.toISOString(), material);
    applyRotation(key, version.record, 'INITIAL', now);
    key.KeyState = KeyState.Enabled;
    versionId = version.record.KeyVersionId;
    ctx.cacheMaterial(versionId, version.material);
    return [];
  });
  return response;
}
