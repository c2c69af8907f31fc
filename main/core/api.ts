/**
 * Request and response shapes of the vault API, with the KMS field names. Shared (as types only)
 * by the service, the CLI, the IPC layer and the renderer. Blobs and plaintexts are base64 strings.
 */
import type { AutomaticRotation, KeyManager, KeyState, Origin, RotationType } from './keyModel.js';

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
