/**
 * The one API the renderer sees: `window.vault`. Every method is async and maps one-to-one onto a
 * vault service operation through an IPC channel named `vault:<method>`. Errors reject with a
 * VaultBridgeError carrying the KMS exception name. Nothing here carries key material.
 *
 * Only types (and the method-name list) live here, so the renderer can import this file.
 */
import type * as Api from '../main/core/api.js';
import type { CreateKeyWithAliasRequest, ListKeyDetailsResponse, VaultEvents } from '../main/core/serviceTypes.js';
import type * as Retire from '../main/core/retireApi.js';

export type * from '../main/core/api.js';
// The service's own request/response/event types are defined in core; the bridge re-exports them.
export type * from '../main/core/serviceTypes.js';
export type * from '../main/core/retireApi.js';

/**
 * A file the person chose in main's open dialog or dropped on the window. The renderer never sees
 * or sends a path: only this opaque, expiring, per-window token, which main maps back.
 */
export interface FileHandle {
  FileToken: string;
  /** Base name, for display. */
  Name: string;
  Size: number;
  /** Set when the file came from a folder picked or dropped as a whole (main expanded it). */
  Folder?: FolderSummary;
}
/** A folder main expanded into its files (recursively, without following links). */
export interface FolderSummary {
  /** The folder's own name, for display. */
  Name: string;
  /** Path of the file below the folder, '/'-separated, for display. */
  RelativePath: string;
  /** Files taken from this folder. */
  FileCount: number;
  /** Entries left out: links, devices, sockets and the like, and folders nested too deep. */
  Skipped: number;
}
export interface PickFilesResponse {
  /** Empty when the person cancelled the dialog. */
  Files: FileHandle[];
}
/** A file job on a chosen file: the output goes next to it under the derived name. */
export interface TokenFileJobRequest {
  JobId: string;
  Operation: Api.FileOperation;
  FileToken: string;
  KeyId?: string;
  /** Replace an existing output file; main asks the person first. */
  Overwrite?: boolean;
  Armor?: boolean;
  /** Encrypt/Decrypt: main asks where to save the output (native save dialog). */
  SaveAs?: boolean;
  /** Encrypt/Decrypt onto an existing name: main picks a free one ("report (2).pdf") instead. */
  KeepBoth?: boolean;
}
/** Opens the system file manager on the output of a finished job (main knows the path). */
export interface ShowInFolderRequest {
  JobId: string;
}
/** Which audit events to export; main asks where to save (native dialog) and writes the file. */
export interface ExportActivityRequest {
  Format: 'csv' | 'json';
  KeyId?: string;
  Outcome?: 'Success' | 'Failure';
  /** Include reads (DescribeKey, ListKeys, ...); state changes only otherwise. */
  IncludeReads?: boolean;
}
export interface ExportActivityResponse {
  FileName: string;
  Count: number;
}
/** Main asks where to save (native dialog) and for confirmation; the renderer gives only the passphrase. */
export interface AppExportBackupRequest {
  Passphrase: string;
}
/** Main asks which backup (native dialog) and confirms what will be replaced. */
export interface AppRestoreBackupRequest {
  Passphrase: string;
}
export interface AppRestoreBackupResponse {
  BackupFile: string;
  KeyCount: number;
  VersionCount: number;
  RecoveryPassphraseSet: boolean;
  /** Key Vault reopens itself on the restored vault right after answering. */
  Restarting: boolean;
}
/** Files the OS asked the app to open (double-click, "Open with"), as tokens; see main/app/openWith.ts. */
export interface TakeOpenedFilesResponse {
  Files: FileHandle[];
  /** Files that could not be opened (gone, a link, a folder), with the reason in plain words. */
  Skipped: { Name: string; Reason: string }[];
}
/** The recovery key, shown once. Its printable sheet stays in main (saveRecoverySheet writes it). */
export interface AppRecoveryKeyResponse {
  RecoveryKey: string;
  VaultId: string;
  CreationDate: string;
}
export interface SaveRecoverySheetResponse {
  FileName: string;
}
/**
 * The clock as maintenance judged it (main/app/clockConfirmation.ts). When ClockProblem is set,
 * key deletions wait until the person confirms the date (confirmClock asks in a native dialog).
 */
export interface ClockCheck {
  /** The vault's clock now (ISO 8601). */
  Now: string;
  /** Why, in words (absent when the clock is plausible). */
  ClockProblem?: string;
  /** Keys whose deletion window has passed by this clock, waiting for the confirmed date. */
  DeletionsAwaitingClockConfirmation?: string[];
  /** confirmClock: the keys deleted once the date was confirmed. */
  Deleted?: string[];
}
/** Preload → main only (not on window.vault): paths of files in a real drop, for tokens. */
export interface RegisterDropRequest {
  Paths: string[];
}
export const REGISTER_DROP_CHANNEL = 'vault-preload:registerDrop';

/** Settings → AWS-compatible endpoint (main/app/apiEndpoint.ts). */
export interface ApiEndpointStatus {
  Enabled: boolean;
  Port: number;
  Listening: boolean;
  Endpoint?: string;
  Region: string;
  RequestsServed: number;
  LastError?: string;
}
export interface SetApiEndpointRequest {
  Enabled: boolean;
  Port?: number;
}

/** Retiring versions (issue 12): main asks for the folder to scan in its native dialog. */
export interface AppScanFilesResponse extends Retire.ScanFilesResponse {
  /** The folder's own name, for display. */
  FolderName: string;
}
/** "Bring N files up to date": the page names the key and the job; a folder only by main's dialog. */
export interface AppReEncryptFilesRequest {
  /** Chosen by the page so it can follow `filesProgress` and cancel (cancelFileJob). */
  JobId: string;
  KeyId?: string;
  /** Only known files under a folder the person picks in main's folder dialog. */
  ChooseFolder?: boolean;
}
export interface AppReEncryptFilesResponse extends Retire.ReEncryptFilesResponse {
  FolderName?: string;
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
  pickFiles: { req: void; res: PickFilesResponse };
  runFileJob: { req: TokenFileJobRequest; res: Api.FileJobResult };
  cancelFileJob: { req: { JobId: string }; res: { Cancelled: boolean } };
  addRecoveryRecipient: { req: Api.RecipientRequest; res: Api.ListRecoveryRecipientsResponse };
  removeRecoveryRecipient: { req: Api.RecipientRequest; res: Api.ListRecoveryRecipientsResponse };
  listRecoveryRecipients: { req: void; res: Api.ListRecoveryRecipientsResponse };
  addIdentity: { req: Api.AddIdentityRequest; res: Api.ListIdentitiesResponse };
  removeIdentity: { req: { Id: string }; res: Api.ListIdentitiesResponse };
  listIdentities: { req: void; res: Api.ListIdentitiesResponse };
  getRecoveryStatus: { req: void; res: Api.RecoveryStatus };
  setRecoveryPassphrase: { req: Api.SetRecoveryPassphraseRequest; res: Api.RecoveryStatus };
  exportBackup: { req: AppExportBackupRequest; res: Api.ExportBackupResponse };
  restoreBackup: { req: AppRestoreBackupRequest; res: AppRestoreBackupResponse };
  getApiEndpointStatus: { req: void; res: ApiEndpointStatus };
  setApiEndpoint: { req: SetApiEndpointRequest; res: ApiEndpointStatus };
  rotateApiCredentials: { req: void; res: { AccessKeyId: string } };
  getAwsProfile: { req: void; res: { Profile: string } };
  takeOpenedFiles: { req: void; res: TakeOpenedFilesResponse };
  createRecoveryKey: { req: Api.CreateRecoveryKeyRequest; res: AppRecoveryKeyResponse };
  saveRecoverySheet: { req: void; res: SaveRecoverySheetResponse };
  forgetRecoverySheet: { req: void; res: Record<string, never> };
  showInFolder: { req: ShowInFolderRequest; res: { Shown: boolean } };
  exportActivity: { req: ExportActivityRequest; res: ExportActivityResponse };
  /** Main's native folder dialog; each folder is expanded into its files (see FolderSummary). */
  pickFolder: { req: void; res: PickFilesResponse };
  /** Runs maintenance as the scheduler does and reports what it thinks of the clock. */
  checkClock: { req: void; res: ClockCheck };
  /** Main asks the person to confirm the date (native dialog), then runs maintenance with it confirmed. */
  confirmClock: { req: void; res: ClockCheck };
  /** How strong a passphrase being typed is, by the same estimator that will judge it (nothing stored). */
  estimatePassphrase: { req: { Passphrase: string }; res: PassphraseEstimate };
  disableKeyVersion: { req: Retire.KeyVersionRequest; res: Retire.KeyVersionStateResponse };
  enableKeyVersion: { req: Retire.KeyVersionRequest; res: Retire.KeyVersionStateResponse };
  /** Main asks the person natively first (key, version date, files still on it). */
  scheduleKeyVersionDestruction: { req: Retire.ScheduleKeyVersionDestructionRequest; res: Retire.KeyVersionStateResponse };
  cancelKeyVersionDestruction: { req: Retire.KeyVersionRequest; res: Retire.KeyVersionStateResponse };
  listFiles: { req: Retire.ListFilesRequest; res: Retire.ListFilesResponse };
  /** Main's native folder dialog, then a scan of that folder. */
  scanFiles: { req: void; res: AppScanFilesResponse };
  reEncryptFiles: { req: AppReEncryptFilesRequest; res: AppReEncryptFilesResponse };
}

/** The passphrase estimator's verdict, for a meter as the person types. */
export interface PassphraseEstimate {
  /** 0 (trivial) .. 4 (very strong). */
  Score: number;
  /** Whether a backup or recovery passphrase this strong is accepted. */
  Acceptable: boolean;
  Warning: string;
  Suggestions: string[];
}

/** Operations served by the app's endpoint controller rather than the vault service. */
export type ApiEndpointOperationName = 'getApiEndpointStatus' | 'setApiEndpoint' | 'rotateApiCredentials' | 'getAwsProfile';

export type OperationName = keyof VaultOperations;

/** Runtime list of the operations (main registers a handler for each, the bridge a method). */
export const OPERATION_NAMES = [
  'getVaultInfo',
  'createKey',
  'describeKey',
  'listKeys',
  'listKeyDetails',
  'enableKey',
  'disableKey',
  'scheduleKeyDeletion',
  'cancelKeyDeletion',
  'createAlias',
  'deleteAlias',
  'listAliases',
  'enableKeyRotation',
  'disableKeyRotation',
  'getKeyRotationStatus',
  'updateRotationPolicy',
  'rotateKeyOnDemand',
  'listKeyRotations',
  'listKeyVersions',
  'describeKeyVersion',
  'importKeyMaterial',
  'encrypt',
  'decrypt',
  'reEncrypt',
  'listAuditEvents',
  'pickFiles',
  'runFileJob',
  'cancelFileJob',
  'addRecoveryRecipient',
  'removeRecoveryRecipient',
  'listRecoveryRecipients',
  'addIdentity',
  'removeIdentity',
  'listIdentities',
  'getRecoveryStatus',
  'setRecoveryPassphrase',
  'exportBackup',
  'restoreBackup',
  'getApiEndpointStatus',
  'setApiEndpoint',
  'rotateApiCredentials',
  'getAwsProfile',
  'takeOpenedFiles',
  'createRecoveryKey',
  'saveRecoverySheet',
  'forgetRecoverySheet',
  'showInFolder',
  'exportActivity',
  'pickFolder',
  'checkClock',
  'confirmClock',
  'estimatePassphrase',
  'disableKeyVersion',
  'enableKeyVersion',
  'scheduleKeyVersionDestruction',
  'cancelKeyVersionDestruction',
  'listFiles',
  'scanFiles',
  'reEncryptFiles',
] as const satisfies readonly OperationName[];

export const channelFor = (op: OperationName): string => `vault:${op}`;

export type EventName = keyof VaultEvents;
export const EVENT_NAMES = ['rotation', 'fileProgress', 'vaultChanged', 'filesProgress'] as const satisfies readonly EventName[];
/** Events main sends itself, not the vault service: the OS asked the app to open files (take them). */
export interface AppEvents {
  filesOpened: { Count: number };
}
export type AppEventName = keyof AppEvents;
export const APP_EVENT_NAMES = ['filesOpened'] as const satisfies readonly AppEventName[];
export type BridgeEvents = VaultEvents & AppEvents;
export const eventChannelFor = (ev: EventName | AppEventName): string => `vault-event:${ev}`;

/** What an IPC handler sends back: a value, or the typed error (never a raw Error across IPC). */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: { __type: string; message: string } };

type Method<O extends OperationName> = VaultOperations[O]['req'] extends void
  ? () => Promise<VaultOperations[O]['res']>
  : (req: VaultOperations[O]['req']) => Promise<VaultOperations[O]['res']>;

/** `window.vault` */
export type VaultBridge = { [O in OperationName]: Method<O> } & {
  on<E extends EventName | AppEventName>(event: E, listener: (payload: BridgeEvents[E]) => void): () => void;
  /**
   * Handles for the files of the drop being handled now: the preload saw that (trusted) drop
   * event itself and registered its files with main. Empty for a drop the page synthesised.
   */
  takeDroppedFiles(): Promise<FileHandle[]>;
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
