/**
 * Request, response and event types of the vault service that are not plain KMS shapes (those are
 * in api.ts). They live in core so the service, the bridge (preload/contract.ts), the renderer and
 * the CLI all take them from one place and the service never depends on the bridge.
 */
import type * as Api from './api.js';

export interface CreateKeyWithAliasRequest extends Api.CreateKeyRequest {
  AliasName?: string;
}

export interface ListKeyDetailsResponse {
  Keys: Api.KeyMetadata[];
}

/** Events the vault emits (main forwards them to the renderer). */
export interface VaultEvents {
  rotation: Api.RotationEvent;
  fileProgress: Api.FileProgressEvent;
  /** The store changed (another window or a CLI process); lists should refresh. */
  vaultChanged: { Revision: number };
  /** re-encrypt-files: files done of those to do, after each file (issue 12). */
  filesProgress: FilesProgressEvent;
}

export interface FilesProgressEvent {
  JobId: string;
  FilesDone: number;
  FilesTotal: number;
}

/** What a maintenance pass (start-up catch-up or the scheduler's tick) did. */
export interface MaintenanceClockReport {
  /** Keys whose deletion window has passed by this clock, waiting for a confirmed date. */
  DeletionsAwaitingClockConfirmation?: string[];
  /** Why, in words (absent when the clock is plausible). */
  ClockProblem?: string;
}

export interface MaintenanceResult extends MaintenanceClockReport {
  /** Key versions whose destruction window elapsed (present only when there were any). */
  Destroyed?: { KeyId: string; KeyVersionId: string }[];
  Rotated: Api.RotationEvent[];
  Deleted: string[];
}
