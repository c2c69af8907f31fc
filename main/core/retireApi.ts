/**
 * Request and response shapes for retiring key versions and for the file inventory (issue 12),
 * with KMS-style field names. Types only.
 */
import type { KeyIdRequest } from './api.js';
import type { KeyVersionState } from './keyModel.js';

export interface KeyVersionRequest extends KeyIdRequest {
  KeyVersionId: string;
}
export interface ScheduleKeyVersionDestructionRequest extends KeyVersionRequest {
  PendingWindowInDays?: number;
  /** Schedule even though the inventory still knows files on the version. */
  Force?: boolean;
}
export interface KeyVersionStateResponse {
  KeyId: string;
  KeyVersionId: string;
  KeyVersionState: KeyVersionState;
  DestructionDate?: string;
}

export type InventoryStatus = 'Present' | 'Missing' | 'Changed';

export interface ListFilesRequest {
  KeyId?: string;
  KeyVersionId?: string;
  /** Only files not on their key's primary version. */
  Stale?: boolean;
  Limit?: number;
  Marker?: string;
}
export interface InventoryFileEntry {
  Path: string;
  KeyId: string;
  KeyVersionId: string;
  IsPrimaryVersion: boolean;
  Size: number;
  LastSeenDate: string;
  Status: InventoryStatus;
}
export interface ListFilesResponse {
  Files: InventoryFileEntry[];
  Truncated: boolean;
  NextMarker?: string;
}

export interface ScanFilesRequest {
  Directory: string;
}
export interface ScanFilesResponse {
  Scanned: number;
  Found: number;
  Added: number;
  Updated: number;
}

export interface ReEncryptFilesRequest {
  KeyId?: string;
  /** Only known files under this directory. */
  Directory?: string;
  /** Chosen by the caller so it can cancel (CancelFileJob with this id). */
  JobId?: string;
}
export interface ReEncryptFilesFailure {
  Path: string;
  __type: string;
  message: string;
}
export interface ReEncryptFilesResponse {
  ReEncrypted: number;
  AlreadyCurrent: number;
  Missing: number;
  Failed: ReEncryptFilesFailure[];
  /** Present when the run was cancelled: the files not yet visited stay as they were. */
  Cancelled?: boolean;
}
