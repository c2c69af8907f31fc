/** File operations of the vault (age envelope encryption). Being built: see issue 3. */
import type * as Api from '../core/api.js';
import { UnsupportedOperationException } from '../core/errors.js';
import type { VaultService } from '../vault/vaultService.js';

const pending = (): never => {
  throw new UnsupportedOperationException('File operations are not available in this build yet.');
};

export class FileService {
  constructor(readonly vault: VaultService) {}
  async runFileJob(_req: Api.FileJobRequest): Promise<Api.FileJobResult> {
    return pending();
  }
  async cancelFileJob(_req: { JobId: string }): Promise<{ Cancelled: boolean }> {
    return pending();
  }
  async addRecoveryRecipient(_req: Api.RecipientRequest): Promise<Api.ListRecoveryRecipientsResponse> {
    return pending();
  }
  async removeRecoveryRecipient(_req: Api.RecipientRequest): Promise<Api.ListRecoveryRecipientsResponse> {
    return pending();
  }
  async listRecoveryRecipients(): Promise<Api.ListRecoveryRecipientsResponse> {
    return pending();
  }
  async addIdentity(_req: Api.AddIdentityRequest): Promise<Api.ListIdentitiesResponse> {
    return pending();
  }
  async removeIdentity(_req: { Id: string }): Promise<Api.ListIdentitiesResponse> {
    return pending();
  }
  async listIdentities(): Promise<Api.ListIdentitiesResponse> {
    return pending();
  }
}
