/**
 * Recovery passphrase, backup export and the consistency check of an open vault. VaultService
 * delegates its recovery operations here. The operations that must work on a vault that cannot be
 * opened (recover, restore) are standalone functions: recoverVault (recoveryKit.ts) and
 * restoreBackup (backupFile.ts); verifyVaultDirectory (vaultVerifier.ts) is the standalone check.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as Api from '../core/api.js';
import { AlreadyExistsException, ValidationException } from '../core/errors.js';
import { deriveRootKeys } from '../crypto/rootKeys.js';
import { backupFromVault } from './backupFormat.js';
import { parseBackupRecipients, sealBackup, writeFileDurably, type BackupProtection } from './backupFile.js';
import { readRootSecret } from './rootSecret.js';
import { RECOVERY_SCRYPT_WORK_FACTOR, validateNewPassphrase, wrapRootSecret } from './recoveryKit.js';
import { generateRecoveryKey, wrapRootSecretWithKey } from './recoveryKey.js';
import { renderRecoverySheet } from './recoverySheet.js';
import type { VerifyReport } from './vaultVerifier.js';
import { verifyVaultDocument } from './vaultVerifier.js';
import type { VaultContext } from './vaultContext.js';

export class RecoveryService {
  /**
   * scrypt work factor (log2 N) for new recovery kits and backups: RECOVERY_SCRYPT_WORK_FACTOR (20).
   * TEST-ONLY knob: tests lower it in-process to keep the suite fast; nothing outside code sets it
   * (no environment variable or flag). Opening accepts up to 22 whatever this says.
   */
  workFactor = RECOVERY_SCRYPT_WORK_FACTOR;

  constructor(readonly vault: VaultContext) {}

  async getRecoveryStatus(): Promise<Api.RecoveryStatus> {
    const { Recovery: recovery, RecoveryKey: key, LastBackupDate: lastBackup } = this.vault.store.read();
    return {
      ...(recovery ? { RecoveryPassphraseSet: true, CreationDate: recovery.CreationDate } : { RecoveryPassphraseSet: false }),
      ...(key ? { RecoveryKeySet: true, RecoveryKeyCreationDate: key.CreationDate } : { RecoveryKeySet: false }),
      ...(lastBackup ? { LastBackupDate: lastBackup } : {}),
    };
  }

  /**
   * Makes a new printed recovery key and keeps the root secret wrapped under it in the vault. The
   * key itself is returned once and never stored. Replacing an existing one needs `Replace`.
   */
  async createRecoveryKey(req: Api.CreateRecoveryKeyRequest = {}): Promise<Api.CreateRecoveryKeyResponse> {
    if (req?.Replace !== undefined && typeof req.Replace !== 'boolean') throw new ValidationException('Replace must be true or false.');
    return this.vault.audited('CreateRecoveryKey', undefined, async () => {
      const doc = this.vault.store.read();
      if (doc.RecoveryKey && req?.Replace !== true) {
        throw new AlreadyExistsException(
          `Vault ${doc.VaultId} already has a recovery key (created ${doc.RecoveryKey.CreationDate}); ask to replace it (its printed sheet then stops working).`,
        );
      }
      const secret = await readRootSecret(this.vault.keychain, doc);
      const { key, text } = generateRecoveryKey();
      let wrapped: string;
      try {
        wrapped = wrapRootSecretWithKey(secret, key, doc.VaultId);
      } finally {
        secret.fill(0);
        key.fill(0);
      }
      const creationDate = this.vault.clock.now().toISOString();
      await this.vault.transact((current) => {
        if (current.VaultId !== doc.VaultId || current.RootKeyCheck !== doc.RootKeyCheck) {
          throw new ValidationException('The vault was replaced while the recovery key was being made; try again.');
        }
        current.RecoveryKey = { WrappedRootSecret: wrapped, CreationDate: creationDate };
      });
      this.vault.changed();
      const sheet = { RecoveryKey: text, VaultId: doc.VaultId, CreationDate: creationDate };
      return { ...sheet, SheetHtml: renderRecoverySheet(sheet) };
    });
  }

  /** Sets, replaces (non-empty) or removes (empty string) the recovery passphrase. */
  async setRecoveryPassphrase(req: Api.SetRecoveryPassphraseRequest): Promise<Api.RecoveryStatus> {
    const passphrase: unknown = req?.Passphrase;
    const removing = passphrase === '';
    return this.vault.audited(removing ? 'RemoveRecoveryPassphrase' : 'SetRecoveryPassphrase', undefined, async () => {
      if (removing) {
        await this.vault.transact((doc) => {
          delete doc.Recovery;
        });
      } else {
        const checked = await validateNewPassphrase(passphrase, 'recovery passphrase');
        // The root secret is not kept in memory: read it from the keychain, checked against the vault.
        const doc = this.vault.store.read();
        const secret = await readRootSecret(this.vault.keychain, doc);
        let wrapped: string;
        try {
          wrapped = await wrapRootSecret(secret, checked, this.workFactor);
        } finally {
          secret.fill(0);
        }
        const creationDate = this.vault.clock.now().toISOString();
        await this.vault.transact((current) => {
          if (current.VaultId !== doc.VaultId || current.RootKeyCheck !== doc.RootKeyCheck) {
            throw new ValidationException('The vault was replaced while the recovery passphrase was being set; try again.');
          }
          current.Recovery = { WrappedRootSecret: wrapped, CreationDate: creationDate };
        });
      }
      this.vault.changed();
      return this.getRecoveryStatus();
    });
  }

  /**
   * Writes the whole vault, key material included, as one age file encrypted under a passphrase or
   * to age recipients (age allows one or the other in a file, not both).
   */
  async exportBackup(req: Api.ExportBackupRequest): Promise<Api.ExportBackupResponse> {
    return this.vault.audited('ExportBackup', undefined, async () => {
      if (typeof req?.OutPath !== 'string' || req.OutPath.length === 0) throw new ValidationException('OutPath is required.');
      if (req.Overwrite !== undefined && typeof req.Overwrite !== 'boolean') throw new ValidationException('Overwrite must be true or false.');
      if ((req.Passphrase === undefined) === (req.Recipients === undefined)) {
        throw new ValidationException('Give either a backup passphrase or age recipients (age files hold one or the other).');
      }
      const protection: BackupProtection =
        req.Recipients !== undefined
          ? { recipients: parseBackupRecipients(req.Recipients).map((r) => r.toString()) }
          : { passphrase: await validateNewPassphrase(req.Passphrase, 'backup passphrase') };
      const outPath = resolve(req.OutPath);
      // The cheap refusal first, before seconds of scrypt (writeFileDurably checks again, race-free).
      if (req.Overwrite !== true && existsSync(outPath)) throw new AlreadyExistsException(`${outPath} already exists; ask to overwrite it to replace it.`);
      // One read: a consistent snapshot of one revision (the store never serves a half-written one).
      const doc = this.vault.store.read();
      const backup = backupFromVault(doc, this.vault.sealKey, this.vault.clock.now().toISOString());
      const file = await sealBackup(backup, protection, this.workFactor);
      await writeFileDurably(outPath, file, req.Overwrite === true);
      // Remembered for the "backup older than 30 days" reminder; the backup itself is on disk already.
      await this.vault.transact((current) => {
        current.LastBackupDate = backup.ExportDate;
      });
      this.vault.changed();
      return { OutPath: outPath, KeyCount: Object.keys(backup.Keys).length };
    });
  }

  /** Checks the vault as it is on disk, without changing anything. */
  async verifyVault(): Promise<VerifyReport> {
    const doc = this.vault.store.read();
    let rootKeys: ReturnType<typeof deriveRootKeys> | string;
    try {
      const secret = await readRootSecret(this.vault.keychain, doc);
      rootKeys = deriveRootKeys(secret, doc.VaultId);
      secret.fill(0);
    } catch (err) {
      rootKeys = err instanceof Error ? err.message : String(err);
    }
    return verifyVaultDocument({ json: doc, rootKeys, now: this.vault.clock.now(), auditFile: join(this.vault.store.dir, 'audit.log') });
  }
}
