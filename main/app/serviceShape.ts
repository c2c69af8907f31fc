/** The vault service as the app's IPC layer uses it: structural, so tests and the blocked state can stand in. */
import type * as Api from '../core/api.js';
import type { Clock } from '../core/clock.js';
import type * as Retire from '../core/retireApi.js';
import type { MaintenanceResult } from '../core/serviceTypes.js';
import type { ApiEndpointOperationName, OperationName, VaultOperations } from '../../preload/contract.js';

/** Operations whose request reaches the service unchanged. */
export type PassThroughOperation = Exclude<
  OperationName,
  | 'pickFiles'
  | 'runFileJob'
  | 'exportBackup'
  | 'restoreBackup'
  | 'takeOpenedFiles'
  | 'createRecoveryKey'
  | 'saveRecoverySheet'
  | 'forgetRecoverySheet'
  | 'showInFolder'
  | 'exportActivity'
  | 'pickFolder'
  | 'checkClock'
  | 'confirmClock'
  | 'estimatePassphrase'
  | 'scanFiles'
  | 'reEncryptFiles'
  | ApiEndpointOperationName
>;

/** The vault service as the app uses it (structural, so tests can pass a fake). */
export type VaultServiceLike = {
  [O in PassThroughOperation]: (req: VaultOperations[O]['req']) => Promise<VaultOperations[O]['res']>;
} & {
  runFileJob(req: Api.FileJobRequest): Promise<Api.FileJobResult>;
  exportBackup(req: Api.ExportBackupRequest): Promise<Api.ExportBackupResponse>;
  createRecoveryKey(req: Api.CreateRecoveryKeyRequest): Promise<Api.CreateRecoveryKeyResponse>;
  // Absent (fakes): the clock operations report no problem and never confirm anything.
  runMaintenance?(opts?: { ConfirmClock?: boolean }): Promise<MaintenanceResult>;
  readonly clock?: Clock;
  scanFiles(req: Retire.ScanFilesRequest): Promise<Retire.ScanFilesResponse>;
  reEncryptFiles(req: Retire.ReEncryptFilesRequest): Promise<Retire.ReEncryptFilesResponse>;
} & {
  // Added by apiEndpoint.ts where the endpoint runs; absent ones answer UnsupportedOperationException.
  [O in ApiEndpointOperationName]?: (req: VaultOperations[O]['req']) => Promise<VaultOperations[O]['res']>;
};
