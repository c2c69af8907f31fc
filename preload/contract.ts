/**
 * The one API the renderer sees: `window.vault`. Every method is async and maps one-to-one onto a
 * vault service operation through an IPC channel named `vault:<method>`. Errors reject with a
 * VaultBridgeError carrying the KMS exception name. Nothing here carries key material.
 *
 * Only types (and the method-name list) live here, so the renderer can import this file.
 */
import type * as Api from '../main/core/api.js';

export type * from '../main/core/api.js';
export type * from '../main/core/retireApi.js';

export interface CreateKeyWithAliasRequest extends Api.CreateKeyRequest {
  AliasName?: string;
}

export interface ListKeyDetailsResponse {
  Keys: Api.KeyMetadata[];
}

/** request → response for every operation. `void` requests take no argument. */
export interface VaultOperations {
  getVaultInfo: { req: void; res: Api.VaultInfo };
  createKey: { req: CreateKeyWithAliasRequest; res: Api.KeyMetadataResponse };
  describeKey: { req: Api.KeyIdRequest; res: Api.KeyMetadataResponse };
  listKeys: { req: void; res: Api.ListKeysResponse };
  listKeyDetails: { req: void; res: ListKeyDetailsResponse };
  enableKey: { req: Api.KeyIdRequest; res: Api.KeyMetadataResponse };
  disableKey: { req: Api.KeyIdRequest; res: Api.KeyMetadataResponse };
  scheduleKeyDeletion: { req: Api.ScheduleKeyDeletionRequest; res: Api.ScheduleKeyDeletionResponse };
  cancelKeyDeletion: { req: Api.KeyIdRequest; res: Api.CancelKeyDeletionResponse };
  createAlias: { req: Api.CreateAliasRequest; res: Record<string, never> };
  deleteAlias: { req: { AliasName: string }; res: Record<string, never> };
  listAliases: { req: void; res: Api.ListAliasesResponse };
  enableKeyRotation: { req: Api.EnableKeyRotationRequest; res: Record<string, never> };
  disableKeyRotation: { req: Api.KeyIdRequest; res: Record<string, never> };
  getKeyRotationStatus: { req: Api.KeyIdRequest; res: Api.GetKeyRotationStatusResponse };
  updateRotationPolicy: { req: Api.UpdateRotationPolicyRequest; res: Api.KeyMetadataResponse };
  rotateKeyOnDemand: { req: Api.KeyIdRequest; res: Api.RotateKeyOnDemandResponse };
  listKeyRotations: { req: Api.KeyIdRequest; res: Api.ListKeyRotationsResponse };
  listKeyVersions: { req: Api.KeyIdRequest; res: Api.ListKeyVersionsResponse };
  describeKeyVersion: { req: Api.DescribeKeyVersionRequest; res: Api.DescribeKeyVersionResponse };
  importKeyMaterial: { req: Api.ImportKeyMaterialRequest; res: Api.KeyMetadataResponse };
  encrypt: { req: Api.EncryptRequest; res: Api.EncryptResponse };
  decrypt: { req: Api.DecryptRequest; res: Api.DecryptResponse };
  reEncrypt: { req: Api.ReEncryptRequest; res: Api.ReEncryptResponse };
  listAuditEvents: { req: Api.ListAuditEventsRequest; res: Api.ListAuditEventsResponse };
  runFileJob: { req: Api.FileJobRequest; res: Api.FileJobResult };
  cancelFileJob: { req: { JobId: string }; res: { Cancelled: boolean } };
  addRecoveryRecipient: { req: Api.RecipientRequest; res: Api.ListRecoveryRecipientsResponse };
  removeRecoveryRecipient: { req: Api.RecipientRequest; res: Api.ListRecoveryRecipientsResponse };
  listRecoveryRecipients: { req: void; res: Api.ListRecoveryRecipientsResponse };
  addIdentity: { req: Api.AddIdentityRequest; res: Api.ListIdentitiesResponse };
  removeIdentity: { req: { Id: string }; res: Api.ListIdentitiesResponse };
  listIdentities: { req: void; res: Api.ListIdentitiesResponse };
  getRecoveryStatus: { req: void; res: Api.RecoveryStatus };
  setRecoveryPassphrase: { req: Api.SetRecoveryPassphraseRequest; res: Api.RecoveryStatus };
  exportBackup: { req: Api.ExportBackupRequest; res: Api.ExportBackupResponse };
}

export type OperationName = keyof VaultOperations;

/** Runtime list of the operations (main registers a handler for each, the bridge a method). */
export const OPERATION_NAMES = [
  'getVaultInfo', 'createKey', 'describeKey', 'listKeys', 'listKeyDetails', 'enableKey', 'disableKey',
  'scheduleKeyDeletion', 'cancelKeyDeletion', 'createAlias', 'deleteAlias', 'listAliases',
  'enableKeyRotation', 'disableKeyRotation', 'getKeyRotationStatus', 'updateRotationPolicy',
  'rotateKeyOnDemand', 'listKeyRotations', 'listKeyVersions', 'describeKeyVersion', 'importKeyMaterial',
  'encrypt', 'decrypt', 'reEncrypt', 'listAuditEvents', 'runFileJob', 'cancelFileJob',
  'addRecoveryRecipient', 'removeRecoveryRecipient', 'listRecoveryRecipients', 'addIdentity',
  'removeIdentity', 'listIdentities', 'getRecoveryStatus', 'setRecoveryPassphrase', 'exportBackup',
] as const satisfies readonly OperationName[];

export const channelFor = (op: OperationName): string => `vault:${op}`;

/** Events main pushes to the renderer. */
export interface VaultEvents {
  rotation: Api.RotationEvent;
  fileProgress: Api.FileProgressEvent;
  /** The store changed (another window or a CLI process); lists should refresh. */
  vaultChanged: { Revision: number };
}
export type EventName = keyof VaultEvents;
export const EVENT_NAMES = ['rotation', 'fileProgress', 'vaultChanged'] as const satisfies readonly EventName[];
export const eventChannelFor = (ev: EventName): string => `vault-event:${ev}`;

/** What an IPC handler sends back: a value, or the typed error (never a raw Error across IPC). */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: { __type: string; message: string } };

type Method<O extends OperationName> = VaultOperations[O]['req'] extends void
  ? () => Promise<VaultOperations[O]['res']>
  : (req: VaultOperations[O]['req']) => Promise<VaultOperations[O]['res']>;

/** `window.vault` */
export type VaultBridge = { [O in OperationName]: Method<O> } & {
  on<E extends EventName>(event: E, listener: (payload: VaultEvents[E]) => void): () => void;
  /** Absolute path of a dropped or picked File (webUtils.getPathForFile in Electron). */
  getPathForFile(file: File): string;
};

/** The error a bridge method rejects with. */
export interface VaultBridgeError extends Error {
  __type: string;
}

declare global {
  interface Window {
    vault: VaultBridge;
  }
}
