/** The vault's side of the file engine's port (files/vaultPort.ts), built on the vault context. */
import type * as Api from '../core/api.js';
import type { Identity, Stanza } from '../crypto/age/index.js';
import type { VaultPort } from '../files/vaultPort.js';
import { storedIdentities } from './recipientOperations.js';
import type { KeyInUse, VaultContext } from './vaultContext.js';

export class VaultFilePort implements VaultPort {
  constructor(private readonly ctx: VaultContext) {}

  audited<T>(operation: string, keyRef: string | undefined, fn: () => Promise<T>, detail?: string): Promise<T> {
    return this.ctx.audited(operation, keyRef, fn, undefined, detail);
  }

  progress(event: Api.FileProgressEvent): void {
    this.ctx.events.emit('fileProgress', event);
  }

  recoveryRecipients(): readonly string[] {
    return this.ctx.store.read().RecoveryRecipients;
  }

  storedIdentities(stanzas: readonly Stanza[]): Identity[] {
    return storedIdentities(this.ctx, stanzas);
  }

  get journalKey(): Buffer {
    return this.ctx.journalKey;
  }

  primaryVersionOf(keyId: string): string | undefined {
    return this.ctx.store.read().Keys[keyId]?.PrimaryKeyVersionId;
  }

  materialForEncrypt(keyIdentifier: string): KeyInUse {
    return this.ctx.materialForEncrypt(keyIdentifier);
  }

  materialForDecrypt(keyId: string, versionId: string): KeyInUse {
    return this.ctx.materialForDecrypt(keyId, versionId);
  }
}
