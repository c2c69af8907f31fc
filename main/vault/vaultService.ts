/**
 * The vault service: one method per API operation, the one object the CLI and the app hold.
 * Methods take the KMS request objects and return the KMS response objects; failures throw
 * KmsError subclasses. It is a facade: the operations live in modules by family, all working on
 * one VaultContext (transaction, audit, events, key resolution, material cache):
 *   keyOperations.ts, aliasOperations.ts, rotationOperations.ts, dataOperations.ts,
 *   recipientOperations.ts, maintenance.ts, recoveryService.ts;
 * file jobs are the file engine's (files/fileService.ts), reached through its VaultPort.
 */
import type * as Retire from '../core/retireApi.js';
import { InventoryOps } from './inventoryOps.js';
import { VersionOps } from './versionOps.js';
import type * as Api from '../core/api.js';
import type { Clock } from '../core/clock.js';
import type { KeyRecord } from '../core/keyModel.js';
import type { CreateKeyWithAliasRequest, ListKeyDetailsResponse, MaintenanceResult } from '../core/serviceTypes.js';
import type { Keychain } from '../keychain/keychain.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import type { VaultStore } from '../store/vaultStore.js';
import { FileService } from '../files/fileService.js';
import type { AuditLog } from './auditLog.js';
import * as aliases from './aliasOperations.js';
import * as data from './dataOperations.js';
import * as keys from './keyOperations.js';
import * as maintenance from './maintenance.js';
import * as recipients from './recipientOperations.js';
import * as rotation from './rotationOperations.js';
import { RecoveryService } from './recoveryService.js';
import { VaultContext, type KeyInUse, type VaultContextDeps } from './vaultContext.js';
import type { VaultEventEmitter } from './vaultEvents.js';
import { VaultFilePort } from './vaultFilePort.js';
import * as KeyAttributes from './keyAttributes.js';

export { VaultEventEmitter } from './vaultEvents.js';
export type { MaintenanceResult } from '../core/serviceTypes.js';
export type VaultServiceDeps = VaultContextDeps;

export class VaultService {
  /** Shared by every operation module. */
  readonly context: VaultContext;
  /** File operations (age envelope encryption), recovery and backup: separate modules, same door. */
  readonly files: FileService;
  readonly recovery: RecoveryService;
  /** Version states and the file inventory (issue 12). */
  readonly versions: VersionOps;
  readonly inventory: InventoryOps;

  constructor(deps: VaultServiceDeps) {
    this.context = new VaultContext(deps);
    this.files = new FileService(new VaultFilePort(this.context));
    this.recovery = new RecoveryService(this.context);
    this.versions = new VersionOps(this.context);
    this.inventory = new InventoryOps(this.context, this.files);
  }

  get events(): VaultEventEmitter {
    return this.context.events;
  }
  get store(): VaultStore {
    return this.context.store;
  }
  get keychain(): Keychain {
    return this.context.keychain;
  }
  get clock(): Clock {
    return this.context.clock;
  }
  get audit(): AuditLog {
    return this.context.audit;
  }
  get vaultId(): string {
    return this.context.vaultId;
  }
  get sealKey(): Buffer {
    return this.context.sealKey;
  }

  /** Authenticates the file engine's re-encrypt journals (files/rewrapJournal.ts). */
  get journalKey(): Buffer {
    return this.context.journalKey;
  }

  close(): void {
    this.context.close();
  }

  // ---------------------------------------------------------------- vault

  getVaultInfo(): Promise<Api.VaultInfo> {
    return maintenance.getVaultInfo(this.context);
  }
  listAuditEvents(req: Api.ListAuditEventsRequest = {}): Promise<Api.ListAuditEventsResponse> {
    return maintenance.listAuditEvents(this.context, req);
  }
  /** Start-up and timer catch-up: due rotations and elapsed deletions, in one durable write. */
  async runMaintenance(opts: { ConfirmClock?: boolean } = {}): Promise<MaintenanceResult> {
    // One look at every key finds what is due; version destruction needs the same plausible clock as key deletion.
    const plan = maintenance.planMaintenance(this.context, opts);
    const { now, clock } = plan;
    const destroyed = clock.versionsDue ? await this.versions.destroyDueVersions(now, clock.destructionAllowed) : [];
    if (destroyed.length > 0) this.context.dropPurgedMaterial();
    // After a destruction commit the plan's document is not the current one: the run looks again.
    const result = await maintenance.runMaintenance(this.context, opts, destroyed.length > 0 ? maintenance.planMaintenance(this.context, opts) : plan);
    return destroyed.length > 0 ? { ...result, Destroyed: destroyed } : result;
  }

  // ---------------------------------------------------------------- keys

  createKey(req: CreateKeyWithAliasRequest = {}): Promise<Api.KeyMetadataResponse> {
    return keys.createKey(this.context, req);
  }
  describeKey(req: Api.KeyIdRequest): Promise<Api.KeyMetadataResponse> {
    return keys.describeKey(this.context, req);
  }
  listKeys(): Promise<Api.ListKeysResponse> {
    return keys.listKeys(this.context);
  }
  listKeyDetails(): Promise<ListKeyDetailsResponse> {
    return keys.listKeyDetails(this.context);
  }
  enableKey(req: Api.KeyIdRequest): Promise<Api.KeyMetadataResponse> {
    return keys.enableKey(this.context, req);
  }
  disableKey(req: Api.KeyIdRequest): Promise<Api.KeyMetadataResponse> {
    return keys.disableKey(this.context, req);
  }
  scheduleKeyDeletion(req: Api.ScheduleKeyDeletionRequest): Promise<Api.ScheduleKeyDeletionResponse> {
    return keys.scheduleKeyDeletion(this.context, req);
  }
  cancelKeyDeletion(req: Api.KeyIdRequest): Promise<Api.CancelKeyDeletionResponse> {
    return keys.cancelKeyDeletion(this.context, req);
  }
  importKeyMaterial(req: Api.ImportKeyMaterialRequest): Promise<Api.KeyMetadataResponse> {
    return keys.importKeyMaterial(this.context, req);
  }

  // ---------------------------------------------------------------- tags, description, alias target (keyAttributes.ts)

  tagResource = (req: KeyAttributes.TagResourceRequest) => KeyAttributes.tagResource(this.context, req);
  untagResource = (req: KeyAttributes.UntagResourceRequest) => KeyAttributes.untagResource(this.context, req);
  listResourceTags = (req: Api.KeyIdRequest) => KeyAttributes.listResourceTags(this.context, req);
  updateKeyDescription = (req: KeyAttributes.UpdateKeyDescriptionRequest) => KeyAttributes.updateKeyDescription(this.context, req);
  updateAlias = (req: KeyAttributes.UpdateAliasRequest) => KeyAttributes.updateAlias(this.context, req);

  // ---------------------------------------------------------------- aliases

  createAlias(req: Api.CreateAliasRequest): Promise<Record<string, never>> {
    return aliases.createAlias(this.context, req);
  }
  deleteAlias(req: { AliasName: string }): Promise<Record<string, never>> {
    return aliases.deleteAlias(this.context, req);
  }
  listAliases(): Promise<Api.ListAliasesResponse> {
    return aliases.listAliases(this.context);
  }

  // ---------------------------------------------------------------- rotation

  enableKeyRotation(req: Api.EnableKeyRotationRequest): Promise<Record<string, never>> {
    return rotation.enableKeyRotation(this.context, req);
  }
  disableKeyRotation(req: Api.KeyIdRequest): Promise<Record<string, never>> {
    return rotation.disableKeyRotation(this.context, req);
  }
  updateRotationPolicy(req: Api.UpdateRotationPolicyRequest): Promise<Api.KeyMetadataResponse> {
    return rotation.updateRotationPolicy(this.context, req);
  }
  getKeyRotationStatus(req: Api.KeyIdRequest): Promise<Api.GetKeyRotationStatusResponse> {
    return rotation.getKeyRotationStatus(this.context, req);
  }
  rotateKeyOnDemand(req: Api.KeyIdRequest): Promise<Api.RotateKeyOnDemandResponse> {
    return rotation.rotateKeyOnDemand(this.context, req);
  }
  listKeyRotations(req: Api.KeyIdRequest): Promise<Api.ListKeyRotationsResponse> {
    return rotation.listKeyRotations(this.context, req);
  }
  listKeyVersions(req: Api.KeyIdRequest): Promise<Api.ListKeyVersionsResponse> {
    return rotation.listKeyVersions(this.context, req);
  }
  describeKeyVersion(req: Api.DescribeKeyVersionRequest): Promise<Api.DescribeKeyVersionResponse> {
    return rotation.describeKeyVersion(this.context, req);
  }

  // ---------------------------------------------------------------- cryptographic operations

  encrypt(req: Api.EncryptRequest): Promise<Api.EncryptResponse> {
    return data.encrypt(this.context, req);
  }
  decrypt(req: Api.DecryptRequest): Promise<Api.DecryptResponse> {
    return data.decrypt(this.context, req);
  }
  reEncrypt(req: Api.ReEncryptRequest): Promise<Api.ReEncryptResponse> {
    return data.reEncrypt(this.context, req);
  }
  generateDataKey(req: Api.GenerateDataKeyRequest): Promise<Api.GenerateDataKeyResponse> {
    return data.generateDataKey(this.context, req);
  }
  generateDataKeyWithoutPlaintext(req: Api.GenerateDataKeyRequest): Promise<Api.GenerateDataKeyWithoutPlaintextResponse> {
    return data.generateDataKeyWithoutPlaintext(this.context, req);
  }

  // ---------------------------------------------------------------- files, recipients, identities, recovery

  runFileJob(req: Api.FileJobRequest): Promise<Api.FileJobResult> {
    return this.files.runFileJob(req).then((r) => this.inventory.recordJob(r));
  }

  // ---------------------------------------------------------------- version states and the file inventory

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
    // A run the caller named reports its progress as an event (the app's "Bring up to date").
    const JobId = req?.JobId;
    return this.inventory.reEncryptFiles(
      req,
      JobId === undefined ? undefined : (FilesDone, FilesTotal) => this.context.events.emit('filesProgress', { JobId, FilesDone, FilesTotal }),
    );
  }
  cancelFileJob(req: { JobId: string }): Promise<{ Cancelled: boolean }> {
    // The id may name a re-encrypt-files run rather than a single file job.
    if (typeof req?.JobId === 'string' && this.inventory.cancel(req.JobId)) return Promise.resolve({ Cancelled: true });
    return this.files.cancelFileJob(req);
  }
  addRecoveryRecipient(req: Api.RecipientRequest): Promise<Api.ListRecoveryRecipientsResponse> {
    return recipients.addRecoveryRecipient(this.context, req);
  }
  removeRecoveryRecipient(req: Api.RecipientRequest): Promise<Api.ListRecoveryRecipientsResponse> {
    return recipients.removeRecoveryRecipient(this.context, req);
  }
  listRecoveryRecipients(): Promise<Api.ListRecoveryRecipientsResponse> {
    return recipients.listRecoveryRecipients(this.context);
  }
  addIdentity(req: Api.AddIdentityRequest): Promise<Api.ListIdentitiesResponse> {
    return recipients.addIdentity(this.context, req);
  }
  addPassphrase(req: Api.AddPassphraseRequest): Promise<Api.ListIdentitiesResponse> {
    return recipients.addPassphrase(this.context, req);
  }
  removeIdentity(req: { Id: string }): Promise<Api.ListIdentitiesResponse> {
    return recipients.removeIdentity(this.context, req);
  }
  listIdentities(): Promise<Api.ListIdentitiesResponse> {
    return recipients.listIdentities(this.context);
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

  // ---------------------------------------------------------------- the context, for the shells and tests

  materialForDecrypt(keyId: string, versionId: string): KeyInUse {
    return this.context.materialForDecrypt(keyId, versionId);
  }
  materialForEncrypt(keyIdentifier: string): KeyInUse {
    return this.context.materialForEncrypt(keyIdentifier);
  }
  transact<T>(fn: (doc: VaultDocument) => T): Promise<T> {
    return this.context.transact(fn);
  }
  resolveKeyRecord(keyIdentifier: string): KeyRecord {
    return this.context.resolveKeyRecord(keyIdentifier);
  }
  audited<T>(operation: string, keyRef: string | undefined, fn: () => Promise<T>, keyOf?: (r: T) => { KeyId: string; KeyVersionId: string }): Promise<T> {
    return this.context.audited(operation, keyRef, fn, keyOf);
  }
  changed(): void {
    this.context.changed();
  }
}
