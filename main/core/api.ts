/**
 * Request and response shapes of the vault API, with the KMS field names. Shared (as types only)
 * by the service, the CLI, the IPC layer and the renderer. Blobs and plaintexts are base64 strings.
 */
import type { AutomaticRotation, KeyManager, KeyState, KeyVersionState, Origin, RotationType } from './keyModel.js';

export type EncryptionContext = Record<string, string>;

export interface KeyMetadata {
  KeyId: string;
  Arn: string;
  Description: string;
  KeyState: KeyState;
  Enabled: boolean;
  Origin: Origin;
  KeyManager: KeyManager;
  KeySpec: 'SYMMETRIC_DEFAULT';
  KeyUsage: 'ENCRYPT_DECRYPT';
  CreationDate: string;
  DeletionDate?: string;
  PendingDeletionWindowInDays?: number;
  PrimaryKeyVersion?: string;
  AutomaticRotation: AutomaticRotation;
  RotationInterval?: string;
  LastRotationDate?: string;
  NextRotationDate?: string;
  Aliases: string[];
}

export interface CreateKeyRequest {
  Description?: string;
  Origin?: Origin;
  EnableAutomaticRotation?: boolean;
  /** `Nd`/`Nh`/`Nm`/`Ns` or a number of days. */
  RotationInterval?: string | number;
}
export interface KeyIdRequest {
  KeyId: string;
}
export interface KeyMetadataResponse {
  KeyMetadata: KeyMetadata;
}
export interface ListKeysResponse {
  Keys: { KeyId: string; KeyArn: string }[];
}
export interface ScheduleKeyDeletionRequest extends KeyIdRequest {
  PendingWindowInDays?: number;
}
export interface ScheduleKeyDeletionResponse {
  KeyId: string;
  DeletionDate: string;
  KeyState: KeyState;
  PendingWindowInDays: number;
}
export interface CancelKeyDeletionResponse {
  KeyId: string;
}
export interface CreateAliasRequest {
  AliasName: string;
  TargetKeyId: string;
}
export interface AliasListEntry {
  AliasName: string;
  AliasArn: string;
  TargetKeyId: string;
  CreationDate: string;
}
export interface ListAliasesResponse {
  Aliases: AliasListEntry[];
}
export interface EnableKeyRotationRequest extends KeyIdRequest {
  RotationPeriodInDays?: number;
}
export interface GetKeyRotationStatusResponse {
  KeyId: string;
  KeyRotationEnabled: boolean;
  RotationPeriodInDays?: number;
  NextRotationDate?: string;
}
export interface UpdateRotationPolicyRequest extends KeyIdRequest {
  EnableAutomaticRotation: boolean;
  RotationInterval?: string | number;
}
export interface RotateKeyOnDemandResponse {
  KeyId: string;
  KeyVersionId: string;
}
export interface RotationEntry {
  KeyId: string;
  KeyVersionId: string;
  RotationDate: string;
  RotationType: RotationType;
}
export interface ListKeyRotationsResponse {
  Rotations: RotationEntry[];
}
export interface KeyVersionEntry {
  KeyId: string;
  KeyVersionId: string;
  CreationDate: string;
  RotationType: RotationType;
  IsPrimary: boolean;
  /** Enabled, Disabled, PendingDestruction or Destroyed (see retireApi.ts). */
  KeyVersionState: KeyVersionState;
  DestructionDate?: string;
  DestroyedDate?: string;
}
export interface ListKeyVersionsResponse {
  KeyVersions: KeyVersionEntry[];
}
export interface DescribeKeyVersionRequest extends KeyIdRequest {
  KeyVersionId: string;
}
export interface DescribeKeyVersionResponse {
  KeyVersion: KeyVersionEntry;
}
export interface ImportKeyMaterialRequest extends KeyIdRequest {
  /** base64 of exactly 32 bytes. */
  KeyMaterial: string;
}
export interface EncryptRequest extends KeyIdRequest {
  Plaintext: string;
  EncryptionContext?: EncryptionContext;
}
export interface EncryptResponse {
  CiphertextBlob: string;
  KeyId: string;
  KeyVersionId: string;
}
export interface DecryptRequest {
  CiphertextBlob: string;
  EncryptionContext?: EncryptionContext;
  /** Optional: when given, the blob must be under this key (IncorrectKeyException otherwise). */
  KeyId?: string;
}
export interface DecryptResponse {
  Plaintext: string;
  KeyId: string;
  KeyVersionId: string;
}
export interface ReEncryptRequest {
  CiphertextBlob: string;
  SourceEncryptionContext?: EncryptionContext;
  SourceKeyId?: string;
  DestinationKeyId: string;
  DestinationEncryptionContext?: EncryptionContext;
}
export interface ReEncryptResponse {
  CiphertextBlob: string;
  SourceKeyId: string;
  SourceKeyVersionId: string;
  KeyId: string;
  KeyVersionId: string;
}
export interface GenerateDataKeyRequest extends KeyIdRequest {
  KeySpec?: 'AES_256' | 'AES_128';
  NumberOfBytes?: number;
  EncryptionContext?: EncryptionContext;
}
export interface GenerateDataKeyResponse {
  CiphertextBlob: string;
  Plaintext: string;
  KeyId: string;
  KeyVersionId: string;
}
export type GenerateDataKeyWithoutPlaintextResponse = Omit<GenerateDataKeyResponse, 'Plaintext'>;

export interface AuditEntry {
  Time: string;
  Operation: string;
  KeyId?: string;
  KeyVersionId?: string;
  RotationType?: RotationType;
  Outcome: 'Success' | 'Failure';
  ErrorType?: string;
  Detail?: string;
}
export interface ListAuditEventsRequest {
  KeyId?: string;
  Limit?: number;
}
export interface ListAuditEventsResponse {
  Events: AuditEntry[];
}

export interface VaultInfo {
  VaultId: string;
  VaultDirectory: string;
  CreationDate: string;
  KeychainStatus: 'Available' | 'Unavailable';
  KeyCount: number;
}

/** Emitted after automatic (scheduled) rotations and purges, so shells can notify. */
export interface RotationEvent {
  KeyId: string;
  KeyVersionId: string;
  RotationType: RotationType;
  RotationDate: string;
}

// ---- Files (age envelope encryption) ----

export type FileOperation = 'Encrypt' | 'Decrypt' | 'ReEncrypt' | 'Inspect';

export interface FileJobRequest {
  /** Chosen by the caller (a UUID) so it can match progress events and cancel. */
  JobId: string;
  Operation: FileOperation;
  InputPath: string;
  /** Encrypt: `<input>.age` by default. Decrypt: input without `.age` by default. */
  OutputPath?: string;
  /** Encrypt: the key to use. ReEncrypt: the destination key (default: the file's own key). */
  KeyId?: string;
  /** Replace an existing output file (never done unless asked). */
  Overwrite?: boolean;
  /** Encrypt: write ASCII-armored output. */
  Armor?: boolean;
}

export interface FileStanzaInfo {
  Type: string;
  Args: string[];
}

export interface FileInspection {
  /** The vault key the file is under (absent for age files with no vault stanza). */
  KeyId?: string;
  KeyVersionId?: string;
  IsPrimaryVersion?: boolean;
  RecoveryRecipients: string[];
  Stanzas: FileStanzaInfo[];
  Armored: boolean;
  /** Size of the file on disk. */
  Size: number;
  HeaderSize: number;
  /** Plaintext size implied by the payload length (no decryption). */
  PlaintextSize?: number;
}

export interface FileJobResult {
  JobId: string;
  Operation: FileOperation;
  InputPath: string;
  OutputPath?: string;
  KeyId?: string;
  KeyVersionId?: string;
  BytesProcessed: number;
  /** ReEncrypt: true when the file was already under the destination key's primary version (nothing written). */
  AlreadyCurrent?: boolean;
  Inspection?: FileInspection;
}

export interface FileProgressEvent {
  JobId: string;
  BytesDone: number;
  BytesTotal: number;
}

export interface RecipientRequest {
  Recipient: string;
}
export interface ListRecoveryRecipientsResponse {
  Recipients: string[];
}
export interface AddIdentityRequest {
  /** Text of an age identity file (AGE-SECRET-KEY-1... lines, comments allowed). */
  IdentityFileText: string;
}
export interface IdentityEntry {
  Id: string;
  Recipient: string;
  CreationDate: string;
}
export interface ListIdentitiesResponse {
  Identities: IdentityEntry[];
}
export interface AddPassphraseRequest {
  Passphrase: string;
  Label?: string;
}

// ---- Recovery and backup ----

export interface SetRecoveryPassphraseRequest {
  /** Empty string removes the recovery passphrase. */
  Passphrase: string;
}
export interface RecoveryStatus {
  RecoveryPassphraseSet: boolean;
  CreationDate?: string;
  /** Whether a printed recovery key (create-recovery-key) can recover the vault, and since when. */
  RecoveryKeySet?: boolean;
  RecoveryKeyCreationDate?: string;
  /** When a backup of this vault was last exported (absent: never, or not since this was recorded). */
  LastBackupDate?: string;
}
export interface CreateRecoveryKeyRequest {
  /** Replace an existing recovery key (its printed sheet stops working). */
  Replace?: boolean;
}
export interface CreateRecoveryKeyResponse {
  /** Shown once: 8 groups of 5 symbols. Never stored in clear. */
  RecoveryKey: string;
  VaultId: string;
  CreationDate: string;
  /** A self-contained printable HTML page holding the key and how to use it. */
  SheetHtml: string;
}
export interface ExportBackupRequest {
  OutPath: string;
  /** The backup opens with this passphrase, or with the identity of any of `Recipients` (at least one of the two). */
  Passphrase?: string;
  /** age X25519 recipients (age1...). */
  Recipients?: string[];
  Overwrite?: boolean;
}
export interface ExportBackupResponse {
  OutPath: string;
  KeyCount: number;
}
export interface VerifyVaultResponse {
  Ok: boolean;
  Problems: { KeyId?: string; KeyVersionId?: string; Problem: string }[];
  /** Odd but harmless states (a schedule anchored in the future after a clock moved back, a torn last audit line). */
  Warnings: { KeyId?: string; KeyVersionId?: string; Problem: string }[];
  KeysChecked: number;
  VersionsChecked: number;
}
