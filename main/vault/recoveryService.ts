/** Recovery passphrase, backup export and the consistency check. Being built: see issue 5. */
import type * as Api from '../core/api.js';
import { UnsupportedOperationException } from '../core/errors.js';
import type { VaultService } from './vaultService.js';

const pending = (): never => {
  throw new UnsupportedOperationException('Recovery and backup are not available in this build yet.');
};

export class RecoveryService {
  constructor(readonly vault: VaultService) {}
  async getRecoveryStatus(): Promise<Api.RecoveryStatus> {
    return pending();
  }
  async setRecoveryPassphrase(_req: Api.SetRecoveryPassphraseRequest): Promise<Api.RecoveryStatus> {
    return pending();
  }
  async exportBackup(_req: Api.ExportBackupRequest): Promise<Api.ExportBackupResponse> {
    return pending();
  }
  async verifyVault(): Promise<Api.VerifyVaultResponse> {
    return pending();
  }
}
