/** The vault service as the app's IPC layer uses it: structural, so tests and the blocked state can stand in. */
import type * as Api from '../core/api.js';
import type * as Retire from '../core/retireApi.js';
import type { ApiEndpointOperationName, OperationName, VaultOperations } from '../../preload/contract.js';

/** Operations whose request reaches the service unchanged. */
export type PassThroughOperation = Exclude<OperationName, 'pickFiles' | 'runFileJob' | 'exportBackup' | 'restoreBackup' | 'takeOpenedFiles' | 'createRecoveryKey' | 'saveRecoverySheet' | 'forgetRecoverySheet' | 'showInFolder' | 'exportActivity' | 'pickFolder' | 'scanFiles' | 'reEncryptFiles' | ApiEndpointOperationName>;

/** The vault service as the app uses it (structural, so tests can pass a fake). */
export type VaultServiceLike = {
  [O in PassThroughOperation]: (req: VaultOperations[O]['req']) => Promise<VaultOperations[O]['res']>;
} & {
  runFileJob(req: Api.FileJobRequest): Promise<Api.FileJobResult>;
  exportBackup(req: Api.ExportBackupRequest): Promise<Api.ExportBackupResponse>;
  createRecoveryKey(req: Api.CreateRecoveryKeyRequest): Promise<Api.CreateRecoveryKeyResponse>;
  scanFiles(req: Retire.ScanFilesRequest): Promise<Retire.ScanFilesResponse>;
  reEncryptFiles(req: Retire.ReEncryptFilesRequest): Promise<Retire.ReEncryptFilesResponse>;
} & {
  // Added by apiEndpoint.ts where the endpoint runs; absent ones answer UnsupportedOperationException.
  [O in ApiEndpointOperationName]?: (req: VaultOperations[O]['req']) => Promise<VaultOperations[O]['res']>;
};

