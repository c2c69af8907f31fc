/**
 * The vault service: one method per API operation, and the only door to the store. Methods take
 * the KMS request objects and return the KMS response objects; failures throw KmsError subclasses.
 *
 * Reads go through `store.read()` (a stat at most every millisecond), so a key disabled by another
 * process is seen at once for practical purposes. Every write, here and in the file and recovery
 * modules, goes through `transact()`: the store's transaction (cross-process lock, durable before
 * it returns, so a new version is on disk before anything is encrypted under it) plus a check that
 * the vault's root key is still the one this process holds.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type * as Api from '../core/api.js';
import type { Clock } from '../core/clock.js';
import {
  AlreadyExistsException,
  DisabledException,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSInvalidStateException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
  toKmsError,
} from '../core/errors.js';
import { keyArn, aliasArn, parseKeyIdentifier, validateAliasName, isUuid } from '../core/keyIdentifier.js';
import type { AliasRecord, KeyRecord, KeyVersionRecord, RotationType } from '../core/keyModel.js';
import { DEFAULT_KEY_ALIAS, KeyState, RESERVED_ALIAS_PREFIX } from '../core/keyModel.js';
import { DEFAULT_ROTATION_SECONDS, formatRotationInterval, intervalDays, parseRotationInterval } from '../core/rotationInterval.js';
import {
  applyPolicyChange,
  applyRotation,
  automaticRotationStatus,
  isDeletionDue,
  isRotationDue,
  keyRotationEnabled,
  lastRotationDate,
  nextRotationDate,
} from '../core/rotationSchedule.js';
import { decryptBlob, encryptBlob, parseBlob } from '../crypto/ciphertextBlob.js';
import { canonicalEncryptionContext, validateEncryptionContext } from '../crypto/encryptionContext.js';
import type { RootKeys } from '../crypto/rootKeys.js';
import { rootKeyCheckValue } from '../crypto/rootKeys.js';
import { openKeyMaterial, sealKeyMaterial } from '../crypto/sealing.js';
import type { Keychain } from '../keychain/keychain.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import type { VaultStore } from '../store/vaultStore.js';
import type { AuditLog } from './auditLog.js';
import { FileService } from '../files/fileService.js';
import { RecoveryService } from './recoveryService.js';
import { usableSealedMaterial, versionStateFields } from '../core/versionStates.js';
import type * as Retire from '../core/retireApi.js';
import { VersionOps, type DestroyedVersion } from './versionOps.js';
import { InventoryOps } from './inventoryOps.js';
import type { ListKeyDetailsResponse, CreateKeyWithAliasRequest, VaultEvents } from '../../preload/contract.js';

const MAX_PLAINTEXT_BYTES = 4096;
const MIN_PENDING_WINDOW_DAYS = 7;
const MAX_PENDING_WINDOW_DAYS = 30;
const DEFAULT_PENDING_WINDOW_DAYS = 30;

export interface VaultServiceDeps {
  store: VaultStore;
  keychain: Keychain;
  clock: Clock;
  rootKeys: RootKeys;
  audit: AuditLog;
}

/** Typed event emitter for rotation, file progress and vault-change events. */
export class VaultEventEmitter extends EventEmitter {
  override emit<E extends keyof VaultEvents>(event: E, payload: VaultEvents[E]): boolean {
    return super.emit(event, payload);
  }
  override on<E extends keyof VaultEvents>(event: E, listener: (payload: VaultEvents[E]) => void): this {
    return super.on(event, listener);
  }
  override off<E extends keyof VaultEvents>(event: E, listener: (payload: VaultEvents[E]) => void): this {
    return super.off(event, listener);
  }
}

export interface MaintenanceResult {
  Rotated: Api.RotationEvent[];
  Deleted: string[];
  /** Key versions whose destruction window elapsed (present only when there were any). */
  Destroyed?: DestroyedVersion[];
}

type Rotation = { key: KeyRecord; version: KeyVersionRecord };

export class VaultService {
  readonly events = new VaultEventEmitter();
  readonly store: VaultStore;
  readonly keychain: Keychain;
  readonly clock: Clock;
  readonly audit: AuditLog;
  private readonly rootKeys: RootKeys;
  private readonly rootCheck: string;
  /** File operations (age envelope encryption), recovery and backup: separate modules, same door. */
  readonly files: FileService = new FileService(this);
  readonly recovery: RecoveryService = new RecoveryService(this);
  /** Version states and the file inventory (issue 12). */
  readonly versions: VersionOps = new VersionOps(this);
  readonly inventory: InventoryOps = new InventoryOps(this);
  /** Unsealed material by version id; filled lazily, dropped when a key is purged. */
  private readonly materialCache = new Map<string, Buffer>();

  constructor(deps: VaultServiceDeps) {
    this.store = deps.store;
    this.keychain = deps.keychain;
    this.clock = deps.clock;
    this.rootKeys = deps.rootKeys;
    this.rootCheck = rootKeyCheckValue(deps.rootKeys);
    this.audit = deps.audit;
  }

  get vaultId(): string {
    return this.store.read().VaultId;
  }

  close(): void {
    this.audit.close();
    this.store.close();
    this.events.removeAllListeners();
    for (const m of this.materialCache.values()) m.fill(0);
    this.materialCache.clear();
  }

  // ---------------------------------------------------------------- vault

  async getVaultInfo(): Promise<Api.VaultInfo> {
    const doc = this.store.read();
    let status: Api.VaultInfo['KeychainStatus'] = 'Available';
    try {
      const secret = await this.keychain.getSecret(`vault-${doc.VaultId}`);
      if (!secret) status = 'Unavailable';
      secret?.fill(0);
    } catch {
      status = 'Unavailable';
    }
    return {
      VaultId: doc.VaultId,
      VaultDirectory: this.store.dir,
      CreationDate: doc.CreationDate,
      KeychainStatus: status,
      KeyCount: Object.keys(doc.Keys).length,
    };
  }

  // ---------------------------------------------------------------- keys

  async createKey(req: CreateKeyWithAliasRequest = {}): Promise<Api.KeyMetadataResponse> {
    return this.audited('CreateKey', undefined, async () => {
      const origin = req.Origin ?? 'VAULT';
      if (origin !== 'VAULT' && origin !== 'EXTERNAL') {
        throw new ValidationException(`Origin must be VAULT or EXTERNAL, not "${String(origin)}".`);
      }
      const description = req.Description ?? '';
      if (typeof description !== 'string' || description.length > 8192) {
        throw new ValidationException('Description must be a string of at most 8192 characters.');
      }
      if (origin === 'EXTERNAL' && (req.EnableAutomaticRotation || req.RotationInterval !== undefined)) {
        throw new UnsupportedOperationException('Keys with imported material (Origin EXTERNAL) do not support automatic rotation.');
      }
      const intervalSeconds = req.RotationInterval !== undefined ? parseRotationInterval(req.RotationInterval) : DEFAULT_ROTATION_SECONDS;
      if (req.AliasName !== undefined) this.checkNewAliasName(req.AliasName);

      const now = this.nowIso();
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
      const initial = origin === 'VAULT' ? this.newVersion(this.vaultId, keyId, now) : undefined;
      await this.transact((doc) => {
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
        this.materialCache.set(initial.record.KeyVersionId, initial.material);
        this.audit.append({ Time: now, Operation: 'Rotation', KeyId: keyId, KeyVersionId: initial.record.KeyVersionId, RotationType: 'INITIAL', Outcome: 'Success' });
      }
      this.changed();
      return { KeyMetadata: this.metadata(this.store.read(), this.store.read().Keys[keyId]!) };
    });
  }

  async describeKey(req: Api.KeyIdRequest): Promise<Api.KeyMetadataResponse> {
    return this.audited('DescribeKey', req?.KeyId, async () => {
      const doc = this.store.read();
      return { KeyMetadata: this.metadata(doc, this.resolveKey(doc, req?.KeyId)) };
    });
  }

  async listKeys(): Promise<Api.ListKeysResponse> {
    const doc = this.store.read();
    return { Keys: Object.values(doc.Keys).map((k) => ({ KeyId: k.KeyId, KeyArn: keyArn(doc.VaultId, k.KeyId) })) };
  }

  async listKeyDetails(): Promise<ListKeyDetailsResponse> {
    const doc = this.store.read();
    const aliasesByKey = this.aliasesByKey(doc);
    return { Keys: Object.values(doc.Keys).map((k) => this.metadata(doc, k, aliasesByKey)) };
  }

  async enableKey(req: Api.KeyIdRequest): Promise<Api.KeyMetadataResponse> {
    return this.mutateKey('EnableKey', req, (key, now, doc) => {
      if (key.KeyState === KeyState.Enabled) return [];
      if (key.KeyState !== KeyState.Disabled) {
        throw new KMSInvalidStateException(`Key ${key.KeyId} is ${key.KeyState} and cannot be enabled.`);
      }
      key.KeyState = KeyState.Enabled;
      // A schedule that fell due while the key was disabled rotates now; otherwise it resumes.
      return isRotationDue(key, now) ? [this.rotateInDoc(doc, key, 'AUTOMATIC', now)] : [];
    });
  }

  async disableKey(req: Api.KeyIdRequest): Promise<Api.KeyMetadataResponse> {
    return this.mutateKey('DisableKey', req, (key) => {
      this.refuseForVaultManaged(key, 'disabled');
      if (key.KeyState === KeyState.Disabled) return [];
      if (key.KeyState !== KeyState.Enabled) {
        throw new KMSInvalidStateException(`Key ${key.KeyId} is ${key.KeyState} and cannot be disabled.`);
      }
      key.KeyState = KeyState.Disabled;
      return [];
    });
  }

  async scheduleKeyDeletion(req: Api.ScheduleKeyDeletionRequest): Promise<Api.ScheduleKeyDeletionResponse> {
    const days = req?.PendingWindowInDays ?? DEFAULT_PENDING_WINDOW_DAYS;
    let result: Api.ScheduleKeyDeletionResponse | undefined;
    await this.mutateKey('ScheduleKeyDeletion', req, (key, now, doc) => {
      this.refuseForVaultManaged(key, 'deleted');
      if (!Number.isInteger(days) || days < MIN_PENDING_WINDOW_DAYS || days > MAX_PENDING_WINDOW_DAYS) {
        throw new ValidationException(`PendingWindowInDays must be a whole number from ${MIN_PENDING_WINDOW_DAYS} to ${MAX_PENDING_WINDOW_DAYS}; got ${String(days)}.`);
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

  async cancelKeyDeletion(req: Api.KeyIdRequest): Promise<Api.CancelKeyDeletionResponse> {
    let keyId = '';
    await this.mutateKey('CancelKeyDeletion', req, (key, _now, doc) => {
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

  // ---------------------------------------------------------------- aliases

  async createAlias(req: Api.CreateAliasRequest): Promise<Record<string, never>> {
    return this.audited('CreateAlias', req?.TargetKeyId, async () => {
      this.checkNewAliasName(req?.AliasName);
      await this.transact((doc) => {
        const ref = parseKeyIdentifier(req.TargetKeyId, doc.VaultId);
        if (ref.kind !== 'keyId') throw new ValidationException('TargetKeyId must be a key id or key ARN, not an alias.');
        const key = this.resolveKey(doc, req.TargetKeyId);
        if (key.KeyState === KeyState.PendingDeletion) {
          throw new KMSInvalidStateException(`Key ${key.KeyId} is pending deletion.`);
        }
        if (doc.Aliases[req.AliasName]) throw new AlreadyExistsException(`Alias ${req.AliasName} already exists.`);
        doc.Aliases[req.AliasName] = { AliasName: req.AliasName, TargetKeyId: key.KeyId, CreationDate: this.nowIso() };
      });
      this.changed();
      return {};
    });
  }

  async deleteAlias(req: { AliasName: string }): Promise<Record<string, never>> {
    return this.audited('DeleteAlias', undefined, async () => {
      validateAliasName(req?.AliasName);
      if (req.AliasName.startsWith(RESERVED_ALIAS_PREFIX)) {
        throw new UnsupportedOperationException(`Alias ${req.AliasName} is managed by Key Vault and cannot be deleted.`);
      }
      await this.transact((doc) => {
        if (!doc.Aliases[req.AliasName]) throw new NotFoundException(`Alias ${req.AliasName} does not exist.`);
        delete doc.Aliases[req.AliasName];
      });
      this.changed();
      return {};
    });
  }

  async listAliases(): Promise<Api.ListAliasesResponse> {
    const doc = this.store.read();
    return {
      Aliases: Object.values(doc.Aliases)
        .sort((a, b) => a.AliasName.localeCompare(b.AliasName))
        .map((a) => ({ AliasName: a.AliasName, AliasArn: aliasArn(doc.VaultId, a.AliasName), TargetKeyId: a.TargetKeyId, CreationDate: a.CreationDate })),
    };
  }

  // ---------------------------------------------------------------- rotation

  async enableKeyRotation(req: Api.EnableKeyRotationRequest): Promise<Record<string, never>> {
    const interval = req?.RotationPeriodInDays !== undefined ? parseRotationInterval(req.RotationPeriodInDays) : undefined;
    await this.mutateKey('EnableKeyRotation', req, (key, now, doc) => {
      this.checkRotationChangeAllowed(key);
      const due = applyPolicyChange(key, { enabled: true, intervalSeconds: interval }, now);
      return due ? [this.rotateInDoc(doc, key, 'AUTOMATIC', now)] : [];
    });
    return {};
  }

  async disableKeyRotation(req: Api.KeyIdRequest): Promise<Record<string, never>> {
    await this.mutateKey('DisableKeyRotation', req, (key, now) => {
      this.checkRotationChangeAllowed(key);
      applyPolicyChange(key, { enabled: false }, now);
      return [];
    });
    return {};
  }

  async updateRotationPolicy(req: Api.UpdateRotationPolicyRequest): Promise<Api.KeyMetadataResponse> {
    if (typeof req?.EnableAutomaticRotation !== 'boolean') {
      throw new ValidationException('EnableAutomaticRotation must be true or false.');
    }
    const interval = req.RotationInterval !== undefined ? parseRotationInterval(req.RotationInterval) : undefined;
    return this.mutateKey('UpdateRotationPolicy', req, (key, now, doc) => {
      this.checkRotationChangeAllowed(key);
      const due = applyPolicyChange(key, { enabled: req.EnableAutomaticRotation, intervalSeconds: interval }, now);
      return due ? [this.rotateInDoc(doc, key, 'AUTOMATIC', now)] : [];
    });
  }

  async getKeyRotationStatus(req: Api.KeyIdRequest): Promise<Api.GetKeyRotationStatusResponse> {
    return this.audited('GetKeyRotationStatus', req?.KeyId, async () => {
      const doc = this.store.read();
      const key = this.resolveKey(doc, req?.KeyId);
      this.refuseExternalRotation(key);
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

  async rotateKeyOnDemand(req: Api.KeyIdRequest): Promise<Api.RotateKeyOnDemandResponse> {
    let result: Api.RotateKeyOnDemandResponse | undefined;
    await this.mutateKey('RotateKeyOnDemand', req, (key, now, doc) => {
      this.checkRotationChangeAllowed(key);
      const rotation = this.rotateInDoc(doc, key, 'ON_DEMAND', now);
      result = { KeyId: keyArn(doc.VaultId, key.KeyId), KeyVersionId: rotation.version.KeyVersionId };
      return [rotation];
    });
    return result!;
  }

  async listKeyRotations(req: Api.KeyIdRequest): Promise<Api.ListKeyRotationsResponse> {
    return this.audited('ListKeyRotations', req?.KeyId, async () => {
      const doc = this.store.read();
      const key = this.resolveKey(doc, req?.KeyId);
      this.refuseExternalRotation(key);
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

  async listKeyVersions(req: Api.KeyIdRequest): Promise<Api.ListKeyVersionsResponse> {
    return this.audited('ListKeyVersions', req?.KeyId, async () => {
      const doc = this.store.read();
      const key = this.resolveKey(doc, req?.KeyId);
      return { KeyVersions: key.Versions.map((v) => this.versionEntry(key, v)) };
    });
  }

  async describeKeyVersion(req: Api.DescribeKeyVersionRequest): Promise<Api.DescribeKeyVersionResponse> {
    return this.audited('DescribeKeyVersion', req?.KeyId, async () => {
      const doc = this.store.read();
      const key = this.resolveKey(doc, req?.KeyId);
      if (typeof req.KeyVersionId !== 'string' || !isUuid(req.KeyVersionId)) {
        throw new ValidationException('KeyVersionId must be a key version id (UUID).');
      }
      const version = key.Versions.find((v) => v.KeyVersionId === req.KeyVersionId);
      if (!version) throw new NotFoundException(`Key ${key.KeyId} has no version ${req.KeyVersionId}.`);
      return { KeyVersion: this.versionEntry(key, version) };
    });
  }

  async importKeyMaterial(req: Api.ImportKeyMaterialRequest): Promise<Api.KeyMetadataResponse> {
    const material = decodeBase64Field(req?.KeyMaterial, 'KeyMaterial');
    if (material.length !== 32) {
      throw new ValidationException(`KeyMaterial must be exactly 32 bytes (256 bits); got ${material.length}.`);
    }
    let versionId = '';
    const response = await this.mutateKey('ImportKeyMaterial', req, (key, now, doc) => {
      if (key.Origin !== 'EXTERNAL') {
        throw new UnsupportedOperationException(`Key ${key.KeyId} has Origin ${key.Origin}; only EXTERNAL keys take imported material.`);
      }
      if (key.KeyState !== KeyState.PendingImport) {
        throw new KMSInvalidStateException(`Key ${key.KeyId} is ${key.KeyState}: it already has its one version of key material.`);
      }
      const version = this.newVersion(doc.VaultId, key.KeyId, now.toISOString(), material);
      applyRotation(key, version.record, 'INITIAL', now);
      key.KeyState = KeyState.Enabled;
      versionId = version.record.KeyVersionId;
      this.materialCache.set(versionId, version.material);
      return [];
    });
    return response;
  }

  // ---------------------------------------------------------------- cryptographic operations

  async encrypt(req: Api.EncryptRequest): Promise<Api.EncryptResponse> {
    return this.audited('Encrypt', req?.KeyId, async () => {
      const plaintext = decodeBase64Field(req?.Plaintext, 'Plaintext');
      if (plaintext.length < 1 || plaintext.length > MAX_PLAINTEXT_BYTES) {
        throw new ValidationException(`Plaintext must be 1 to ${MAX_PLAINTEXT_BYTES} bytes; got ${plaintext.length}.`);
      }
      const ctx = canonicalEncryptionContext(validateEncryptionContext(req.EncryptionContext));
      const doc = this.store.read();
      const { key, version, material } = this.primaryForUse(doc, req.KeyId);
      const blob = encryptBlob(material, { keyId: key.KeyId, versionId: version.KeyVersionId }, plaintext, ctx);
      return { CiphertextBlob: blob.toString('base64'), KeyId: keyArn(doc.VaultId, key.KeyId), KeyVersionId: version.KeyVersionId };
    }, (r) => r);
  }

  async decrypt(req: Api.DecryptRequest): Promise<Api.DecryptResponse> {
    return this.audited('Decrypt', req?.KeyId, async () => {
      const doc = this.store.read();
      const { key, version, plaintext } = this.openBlob(doc, req?.CiphertextBlob, req?.EncryptionContext, req?.KeyId, 'KeyId', 'EncryptionContext');
      return { Plaintext: plaintext.toString('base64'), KeyId: keyArn(doc.VaultId, key.KeyId), KeyVersionId: version.KeyVersionId };
    }, (r) => r);
  }

  async reEncrypt(req: Api.ReEncryptRequest): Promise<Api.ReEncryptResponse> {
    return this.audited('ReEncrypt', req?.DestinationKeyId, async () => {
      const doc = this.store.read();
      const destCtx = canonicalEncryptionContext(validateEncryptionContext(req?.DestinationEncryptionContext, 'DestinationEncryptionContext'));
      const source = this.openBlob(doc, req?.CiphertextBlob, req?.SourceEncryptionContext, req?.SourceKeyId, 'SourceKeyId', 'SourceEncryptionContext');
      try {
        const dest = this.primaryForUse(doc, req.DestinationKeyId);
        const blob = encryptBlob(dest.material, { keyId: dest.key.KeyId, versionId: dest.version.KeyVersionId }, source.plaintext, destCtx);
        return {
          CiphertextBlob: blob.toString('base64'),
          SourceKeyId: keyArn(doc.VaultId, source.key.KeyId),
          SourceKeyVersionId: source.version.KeyVersionId,
          KeyId: keyArn(doc.VaultId, dest.key.KeyId),
          KeyVersionId: dest.version.KeyVersionId,
        };
      } finally {
        source.plaintext.fill(0);
      }
    }, (r) => r);
  }

  async generateDataKey(req: Api.GenerateDataKeyRequest): Promise<Api.GenerateDataKeyResponse> {
    return this.audited('GenerateDataKey', req?.KeyId, async () => this.makeDataKey(req, true), (r) => r);
  }

  async generateDataKeyWithoutPlaintext(req: Api.GenerateDataKeyRequest): Promise<Api.GenerateDataKeyWithoutPlaintextResponse> {
    return this.audited('GenerateDataKeyWithoutPlaintext', req?.KeyId, async () => {
      const { Plaintext: _omitted, ...rest } = this.makeDataKey(req, false);
      return rest;
    }, (r) => r);
  }

  async listAuditEvents(req: Api.ListAuditEventsRequest = {}): Promise<Api.ListAuditEventsResponse> {
    let keyId: string | undefined;
    if (req?.KeyId) keyId = this.resolveKey(this.store.read(), req.KeyId).KeyId;
    const limit = req?.Limit ?? 500;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ValidationException('Limit must be 1 to 10000.');
    return { Events: this.audit.read({ ...(keyId ? { KeyId: keyId } : {}), Limit: limit }) };
  }

  // ---------------------------------------------------------------- files and recovery (delegated)

  runFileJob(req: Api.FileJobRequest): Promise<Api.FileJobResult> {
    return this.files.runFileJob(req).then((r) => this.inventory.recordJob(r));
  }
  disableKeyVersion(req: Retire.KeyVersionRequest): Promise<Retire.KeyVersionStateResponse> {
    return this.versions.disableKeyVersion(req);
  }
  enableKeyVersion(req: Retire.KeyVersionRequest): Promise<Retire.KeyVersionStateResponse> {
    return this.versions.enableKeyVersion(req);
  }
  scheduleKeyVersionDestruction(req: Retire.ScheduleKeyVersionDestructionRequest): Promise<Retire.KeyVersionStateResponse> {
    return this.versions.scheduleKeyVersionDestruction(req);
  }
  cancelKeyVersionDestruction(req: Retire.KeyVersionRequest): Promise<Retire.KeyVersionStateResponse> {
    return this.versions.cancelKeyVersionDestruction(req);
  }
  listFiles(req?: Retire.ListFilesRequest): Promise<Retire.ListFilesResponse> {
    return this.inventory.listFiles(req);
  }
  scanFiles(req: Retire.ScanFilesRequest): Promise<Retire.ScanFilesResponse> {
    return this.inventory.scanFiles(req);
  }
  reEncryptFiles(req?: Retire.ReEncryptFilesRequest): Promise<Retire.ReEncryptFilesResponse> {
    return this.inventory.reEncryptFiles(req);
  }
  cancelFileJob(req: { JobId: string }): Promise<{ Cancelled: boolean }> {
    return this.files.cancelFileJob(req);
  }
  addRecoveryRecipient(req: Api.RecipientRequest): Promise<Api.ListRecoveryRecipientsResponse> {
    return this.files.addRecoveryRecipient(req);
  }
  removeRecoveryRecipient(req: Api.RecipientRequest): Promise<Api.ListRecoveryRecipientsResponse> {
    return this.files.removeRecoveryRecipient(req);
  }
  listRecoveryRecipients(): Promise<Api.ListRecoveryRecipientsResponse> {
    return this.files.listRecoveryRecipients();
  }
  addIdentity(req: Api.AddIdentityRequest): Promise<Api.ListIdentitiesResponse> {
    return this.files.addIdentity(req);
  }
  removeIdentity(req: { Id: string }): Promise<Api.ListIdentitiesResponse> {
    return this.files.removeIdentity(req);
  }
  listIdentities(): Promise<Api.ListIdentitiesResponse> {
    return this.files.listIdentities();
  }
  getRecoveryStatus(): Promise<Api.RecoveryStatus> {
    return this.recovery.getRecoveryStatus();
  }
  setRecoveryPassphrase(req: Api.SetRecoveryPassphraseRequest): Promise<Api.RecoveryStatus> {
    return this.recovery.setRecoveryPassphrase(req);
  }
  createRecoveryKey(req?: Api.CreateRecoveryKeyRequest): Promise<Api.CreateRecoveryKeyResponse> {
    return this.recovery.createRecoveryKey(req);
  }
  exportBackup(req: Api.ExportBackupRequest): Promise<Api.ExportBackupResponse> {
    return this.recovery.exportBackup(req);
  }
  verifyVault(): Promise<Api.VerifyVaultResponse> {
    return this.recovery.verifyVault();
  }

  // ---------------------------------------------------------------- maintenance (start-up and timer)

  /**
   * Catch-up: every due key rotates exactly once however many intervals were missed, and keys whose
   * deletion window has passed are purged, all in one durable write. Cheap when nothing is due.
   */
  async runMaintenance(): Promise<MaintenanceResult> {
    const now = this.clock.now();
    const destroyed = await this.versions.destroyDueVersions(now);
    if (destroyed.length > 0) this.dropPurgedMaterial();
    if (destroyed.length > 0) return { ...(await this.runMaintenance()), Destroyed: destroyed };
    const pending = (doc: VaultDocument) => Object.values(doc.Keys).some((k) => isRotationDue(k, now) || isDeletionDue(k, now));
    if (!pending(this.store.read())) return { Rotated: [], Deleted: [] };
    const rotations: Rotation[] = [];
    const deleted: string[] = [];
    await this.transact((doc) => {
      for (const key of Object.values(doc.Keys)) {
        if (isDeletionDue(key, now)) {
          delete doc.Keys[key.KeyId];
          for (const alias of Object.values(doc.Aliases)) if (alias.TargetKeyId === key.KeyId) delete doc.Aliases[alias.AliasName];
          deleted.push(key.KeyId);
        } else if (isRotationDue(key, now)) {
          rotations.push(this.rotateInDoc(doc, key, 'AUTOMATIC', now));
        }
      }
    });
    const iso = now.toISOString();
    for (const keyId of deleted) {
      this.audit.append({ Time: iso, Operation: 'DeleteKey', KeyId: keyId, Outcome: 'Success', Detail: 'pending deletion window elapsed; key material destroyed' });
    }
    this.dropPurgedMaterial();
    const events = this.afterRotations(rotations);
    if (rotations.length > 0 || deleted.length > 0) this.changed();
    return { Rotated: events, Deleted: deleted };
  }

  // ---------------------------------------------------------------- internals used by other modules

  /** Material of a specific version for unwrapping (file engine). Applies the key state rules. */
  materialForDecrypt(keyId: string, versionId: string): { key: KeyRecord; version: KeyVersionRecord; material: Buffer } {
    const doc = this.store.read();
    const key = doc.Keys[keyId];
    if (!key) throw new NotFoundException(`Key ${keyId} is not in this vault (it may have been deleted).`);
    this.checkUsable(key);
    const version = key.Versions.find((v) => v.KeyVersionId === versionId);
    if (!version) throw new NotFoundException(`Key ${keyId} has no version ${versionId}.`);
    return { key, version, material: this.material(doc, key, version) };
  }

  /** The primary version's material for wrapping (file engine). Applies the key state rules. */
  materialForEncrypt(keyIdentifier: string): { key: KeyRecord; version: KeyVersionRecord; material: Buffer } {
    return this.primaryForUse(this.store.read(), keyIdentifier);
  }

  /**
   * Every write goes through here: under the lock, on the latest document, durable on return. A
   * document whose root key is not the one this process holds (the vault was restored from a
   * backup by another process) is refused: sealing under the old key would lose the new versions.
   */
  async transact<T>(fn: (doc: VaultDocument) => T): Promise<T> {
    return this.store.transact((doc) => {
      if (doc.RootKeyCheck !== this.rootCheck) {
        throw new KMSInvalidStateException('The vault was replaced (restored from a backup) by another process: close and reopen it.');
      }
      return fn(doc);
    });
  }

  resolveKeyRecord(keyIdentifier: string): KeyRecord {
    return this.resolveKey(this.store.read(), keyIdentifier);
  }

  get sealKey(): Buffer {
    return this.rootKeys.sealKey;
  }

  /** Runs an operation with audit logging: success or failure, with key and version ids, never data. */
  async audited<T>(operation: string, keyRef: string | undefined, fn: () => Promise<T>, keyOf?: (r: T) => { KeyId: string; KeyVersionId: string }): Promise<T> {
    const time = this.nowIso();
    try {
      const result = await fn();
      if (keyOf) {
        // Cryptographic operations: the response names the key (as an ARN) and version; no second lookup.
        const k = keyOf(result);
        this.audit.append({ Time: time, Operation: operation, KeyId: k.KeyId.slice(k.KeyId.lastIndexOf('/') + 1), KeyVersionId: k.KeyVersionId, Outcome: 'Success' }, true);
      } else {
        this.audit.append({ Time: time, Operation: operation, ...this.auditKey(keyRef), Outcome: 'Success' });
      }
      return result;
    } catch (err) {
      const e = toKmsError(err);
      this.audit.append({ Time: time, Operation: operation, ...this.auditKey(keyRef), Outcome: 'Failure', ErrorType: e.__type });
      throw e;
    }
  }

  changed(): void {
    this.events.emit('vaultChanged', { Revision: this.store.revision });
  }

  // ---------------------------------------------------------------- private helpers

  private nowIso(): string {
    return this.clock.now().toISOString();
  }

  private auditKey(keyRef: string | undefined): { KeyId?: string } {
    if (!keyRef || typeof keyRef !== 'string') return {};
    try {
      return { KeyId: this.resolveKey(this.store.read(), keyRef).KeyId };
    } catch {
      return {};
    }
  }

  private resolveKey(doc: VaultDocument, identifier: unknown): KeyRecord {
    const ref = parseKeyIdentifier(identifier, doc.VaultId);
    if (ref.kind === 'alias') {
      const alias = doc.Aliases[ref.aliasName];
      if (!alias) throw new NotFoundException(`Alias ${ref.aliasName} does not exist.`);
      const key = doc.Keys[alias.TargetKeyId];
      if (!key) throw new NotFoundException(`Alias ${ref.aliasName} points to a key that no longer exists.`);
      return key;
    }
    const key = doc.Keys[ref.keyId];
    if (!key) throw new NotFoundException(`Key ${ref.keyId} does not exist in this vault.`);
    return key;
  }

  private aliasesByKey(doc: VaultDocument): Map<string, string[]> {
    const map = new Map<string, string[]>();
    for (const a of Object.values(doc.Aliases)) {
      const list = map.get(a.TargetKeyId);
      if (list) list.push(a.AliasName);
      else map.set(a.TargetKeyId, [a.AliasName]);
    }
    return map;
  }

  private metadata(doc: VaultDocument, key: KeyRecord, aliasesByKey?: Map<string, string[]>): Api.KeyMetadata {
    const aliases = aliasesByKey ? (aliasesByKey.get(key.KeyId) ?? []) : Object.values(doc.Aliases).filter((a: AliasRecord) => a.TargetKeyId === key.KeyId).map((a) => a.AliasName);
    const next = nextRotationDate(key);
    const last = lastRotationDate(key);
    const rotation = automaticRotationStatus(key);
    return {
      KeyId: key.KeyId,
      Arn: keyArn(doc.VaultId, key.KeyId),
      Description: key.Description,
      KeyState: key.KeyState,
      Enabled: key.KeyState === KeyState.Enabled,
      Origin: key.Origin,
      KeyManager: key.KeyManager,
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      CreationDate: key.CreationDate,
      ...(key.DeletionDate ? { DeletionDate: key.DeletionDate } : {}),
      ...(key.DeletionDate && key.DeletionScheduledDate
        ? { PendingDeletionWindowInDays: Math.round((Date.parse(key.DeletionDate) - Date.parse(key.DeletionScheduledDate)) / 86_400_000) }
        : {}),
      ...(key.PrimaryKeyVersionId ? { PrimaryKeyVersion: key.PrimaryKeyVersionId } : {}),
      AutomaticRotation: rotation,
      ...(rotation !== 'Disabled' ? { RotationInterval: formatRotationInterval(key.Rotation.IntervalSeconds) } : {}),
      ...(last ? { LastRotationDate: last } : {}),
      ...(next ? { NextRotationDate: next.toISOString() } : {}),
      Aliases: aliases.sort(),
    };
  }

  private versionEntry(key: KeyRecord, v: KeyVersionRecord): Api.KeyVersionEntry {
    return { KeyId: key.KeyId, KeyVersionId: v.KeyVersionId, CreationDate: v.CreationDate, RotationType: v.RotationType, IsPrimary: v.KeyVersionId === key.PrimaryKeyVersionId, ...versionStateFields(v) };
  }

  private checkNewAliasName(name: unknown): asserts name is string {
    if (typeof name !== 'string') throw new ValidationException('AliasName is required.');
    validateAliasName(name);
    if (name.startsWith(RESERVED_ALIAS_PREFIX)) {
      throw new ValidationException(`Alias names beginning with ${RESERVED_ALIAS_PREFIX} are reserved for Key Vault.`);
    }
  }

  private refuseForVaultManaged(key: KeyRecord, verb: string): void {
    if (key.KeyManager === 'VAULT') {
      throw new UnsupportedOperationException(`Key ${key.KeyId} (${DEFAULT_KEY_ALIAS}) is managed by Key Vault and cannot be ${verb}.`);
    }
  }

  private refuseExternalRotation(key: KeyRecord): void {
    if (key.Origin === 'EXTERNAL') {
      throw new UnsupportedOperationException(`Key ${key.KeyId} uses imported key material (Origin EXTERNAL), which does not support rotation.`);
    }
  }

  /** EnableKeyRotation, DisableKeyRotation, UpdateRotationPolicy and RotateKeyOnDemand. */
  private checkRotationChangeAllowed(key: KeyRecord): void {
    this.refuseExternalRotation(key);
    if (key.KeyManager === 'VAULT') {
      throw new UnsupportedOperationException(`The rotation of ${DEFAULT_KEY_ALIAS} is managed by Key Vault (always on, every 365 days).`);
    }
    this.checkUsable(key);
  }

  /** Key state rules for using or changing a key. */
  private checkUsable(key: KeyRecord): void {
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

  private primaryForUse(doc: VaultDocument, identifier: unknown): { key: KeyRecord; version: KeyVersionRecord; material: Buffer } {
    const key = this.resolveKey(doc, identifier);
    this.checkUsable(key);
    const version = key.Versions.find((v) => v.KeyVersionId === key.PrimaryKeyVersionId);
    if (!version) throw new KMSInvalidStateException(`Key ${key.KeyId} has no primary version.`);
    return { key, version, material: this.material(doc, key, version) };
  }

  private openBlob(doc: VaultDocument, blobB64: unknown, ctxIn: unknown, expectKey: string | undefined, keyField: string, ctxField: string) {
    const ctx = canonicalEncryptionContext(validateEncryptionContext(ctxIn, ctxField));
    const { header, blob } = parseBlob(blobB64);
    const key = doc.Keys[header.keyId];
    if (!key) {
      throw new InvalidCiphertextException('The ciphertext names a key that is not in this vault (it was deleted, or the blob is damaged).');
    }
    if (expectKey !== undefined) {
      const expected = this.resolveKey(doc, expectKey);
      if (expected.KeyId !== key.KeyId) {
        throw new IncorrectKeyException(`The ciphertext was not encrypted under the key given in ${keyField} (${expectKey}).`);
      }
    }
    this.checkUsable(key);
    const version = key.Versions.find((v) => v.KeyVersionId === header.versionId);
    if (!version) throw new InvalidCiphertextException('The ciphertext names a key version that this key does not have.');
    const plaintext = decryptBlob(this.material(doc, key, version), blob, ctx);
    return { key, version, plaintext };
  }

  private makeDataKey(req: Api.GenerateDataKeyRequest, withPlaintext: boolean): Api.GenerateDataKeyResponse {
    const hasSpec = req?.KeySpec !== undefined;
    const hasBytes = req?.NumberOfBytes !== undefined;
    if (hasSpec === hasBytes) throw new ValidationException('Specify exactly one of KeySpec (AES_256 or AES_128) and NumberOfBytes.');
    let size: number;
    if (hasSpec) {
      if (req.KeySpec !== 'AES_256' && req.KeySpec !== 'AES_128') throw new ValidationException(`KeySpec must be AES_256 or AES_128, not "${String(req.KeySpec)}".`);
      size = req.KeySpec === 'AES_256' ? 32 : 16;
    } else {
      size = req.NumberOfBytes!;
      if (!Number.isInteger(size) || size < 1 || size > 1024) throw new ValidationException(`NumberOfBytes must be 1 to 1024; got ${String(size)}.`);
    }
    const ctx = canonicalEncryptionContext(validateEncryptionContext(req.EncryptionContext));
    const doc = this.store.read();
    const { key, version, material } = this.primaryForUse(doc, req.KeyId);
    const dataKey = randomBytes(size);
    const blob = encryptBlob(material, { keyId: key.KeyId, versionId: version.KeyVersionId }, dataKey, ctx);
    const plaintext = withPlaintext ? dataKey.toString('base64') : '';
    dataKey.fill(0);
    return { CiphertextBlob: blob.toString('base64'), Plaintext: plaintext, KeyId: keyArn(doc.VaultId, key.KeyId), KeyVersionId: version.KeyVersionId };
  }

  private material(doc: VaultDocument, key: KeyRecord, version: KeyVersionRecord): Buffer {
    const sealed = usableSealedMaterial(key, version); // version state rules, before any cached material
    let m = this.materialCache.get(version.KeyVersionId);
    if (!m) {
      m = openKeyMaterial(this.rootKeys.sealKey, doc.VaultId, key.KeyId, version.KeyVersionId, sealed);
      this.materialCache.set(version.KeyVersionId, m);
    }
    return m;
  }

  private newVersion(vaultId: string, keyId: string, now: string, material: Buffer = randomBytes(32)): { record: KeyVersionRecord; material: Buffer } {
    const versionId = randomUUID();
    const sealed = sealKeyMaterial(this.rootKeys.sealKey, vaultId, keyId, versionId, material);
    return { record: { KeyVersionId: versionId, CreationDate: now, RotationType: 'INITIAL', SealedMaterial: sealed }, material };
  }

  /** Adds a freshly generated primary version to a key inside a transaction. */
  private rotateInDoc(doc: VaultDocument, key: KeyRecord, type: RotationType, now: Date): Rotation {
    const { record, material } = this.newVersion(doc.VaultId, key.KeyId, now.toISOString());
    applyRotation(key, record, type, now);
    this.materialCache.set(record.KeyVersionId, material);
    return { key, version: record };
  }

  /** After the durable commit: audit each rotation and tell listeners. */
  private afterRotations(rotations: Rotation[]): Api.RotationEvent[] {
    return rotations.map(({ key, version }) => {
      const event: Api.RotationEvent = { KeyId: key.KeyId, KeyVersionId: version.KeyVersionId, RotationType: version.RotationType, RotationDate: version.CreationDate };
      this.audit.append({ Time: version.CreationDate, Operation: 'Rotation', KeyId: key.KeyId, KeyVersionId: version.KeyVersionId, RotationType: version.RotationType, Outcome: 'Success' });
      this.events.emit('rotation', event);
      return event;
    });
  }

  private dropPurgedMaterial(): void {
    const live = new Set<string>();
    for (const k of Object.values(this.store.read().Keys)) for (const v of k.Versions) if (v.SealedMaterial !== undefined) live.add(v.KeyVersionId);
    for (const [id, m] of this.materialCache) {
      if (!live.has(id)) {
        m.fill(0);
        this.materialCache.delete(id);
      }
    }
  }

  /**
   * A state-changing operation on one key: resolve it inside the transaction (under the lock, on
   * the latest document), apply `change`, commit durably, then audit rotations and emit events.
   */
  private async mutateKey(
    operation: string,
    req: Api.KeyIdRequest,
    change: (key: KeyRecord, now: Date, doc: VaultDocument) => Rotation[],
  ): Promise<Api.KeyMetadataResponse> {
    return this.audited(operation, req?.KeyId, async () => {
      const now = this.clock.now();
      let keyId = '';
      let rotations: Rotation[] = [];
      try {
        await this.transact((doc) => {
          const key = this.resolveKey(doc, req?.KeyId);
          keyId = key.KeyId;
          rotations = change(key, now, doc);
        });
      } catch (err) {
        // Versions generated in a transaction that did not commit must not linger in the cache.
        this.dropPurgedMaterial();
        throw err;
      }
      this.afterRotations(rotations);
      this.changed();
      const doc = this.store.read();
      return { KeyMetadata: this.metadata(doc, doc.Keys[keyId]!) };
    });
  }
}

function decodeBase64Field(value: unknown, field: string): Buffer {
  if (typeof value !== 'string') throw new ValidationException(`${field} must be a base64 string.`);
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new ValidationException(`${field} is not valid base64.`);
  }
  return Buffer.from(value, 'base64');
}

