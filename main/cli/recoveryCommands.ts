/**
 * The recovery and backup commands of the table (commandTable.ts). `recover`, `restore-backup` and
 * `verify-vault` run standalone: they must work when the vault cannot be opened normally (no
 * keychain entry, no vault yet, a damaged document), so they never go through openVault.
 * The vault modules are imported when a command runs, to keep `--help` fast.
 */
import type { CommandSpec } from './commandSpec.js';
import { passphraseFileFlag, readPassphrase } from './passphraseInput.js';

const opensNoVault = (): Promise<never> => Promise.reject(new Error('internal: this command runs standalone'));

export const RECOVERY_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'set-recovery-passphrase',
    summary: 'Keep the root secret in the vault wrapped under a recovery passphrase (or remove it).',
    operation: 'SetRecoveryPassphrase',
    flags: [
      passphraseFileFlag('new recovery passphrase (at least 8 characters)'),
      { name: 'remove', kind: 'switch', help: 'Remove the recovery passphrase instead (the vault can then only be recovered from a backup).' },
    ],
    run: async ({ service, flags }) =>
      service.setRecoveryPassphrase({
        Passphrase: flags.boolean('remove') ? '' : await readPassphrase(flags, { what: 'recovery passphrase', confirm: true }),
      }),
  },
  {
    name: 'get-recovery-status',
    summary: 'Show whether a recovery passphrase is set, and since when.',
    operation: 'GetRecoveryStatus',
    flags: [],
    run: ({ service }) => service.getRecoveryStatus(),
  },
  {
    name: 'recover',
    summary: 'Write the root secret into the OS keychain again, from the recovery passphrase.',
    operation: 'RecoverVault',
    flags: [passphraseFileFlag('recovery passphrase')],
    run: opensNoVault,
    needsExistingVault: true,
    standalone: async ({ dir, flags }) => {
      const passphrase = await readPassphrase(flags, { what: 'recovery passphrase', confirm: false });
      const { recoverVault } = await import('../vault/recoveryKit.js');
      return recoverVault({ dir, passphrase });
    },
  },
  {
    name: 'export-backup',
    summary: 'Write the whole vault, key material included, to one passphrase-encrypted age file.',
    operation: 'ExportBackup',
    flags: [
      { name: 'out', kind: 'text', required: true, value: 'PATH', help: 'The backup file to write.' },
      { name: 'overwrite', kind: 'switch', help: 'Replace the file if it exists (never done otherwise).' },
      passphraseFileFlag('backup passphrase (at least 8 characters)'),
    ],
    run: async ({ service, flags }) =>
      service.exportBackup({
        OutPath: flags.requiredText('out'),
        Passphrase: await readPassphrase(flags, { what: 'backup passphrase', confirm: true }),
        ...(flags.boolean('overwrite') ? { Overwrite: true } : {}),
      }),
  },
  {
    name: 'restore-backup',
    summary: 'Make a working vault from a backup file, under a new root secret in the OS keychain.',
    operation: 'RestoreBackup',
    flags: [
      { name: 'in', kind: 'text', required: true, value: 'PATH', help: 'The backup file (written by export-backup).' },
      { name: 'force', kind: 'switch', help: 'Replace an existing vault in the directory, and an existing keychain entry for the backup\'s vault.' },
      passphraseFileFlag('backup passphrase'),
    ],
    run: opensNoVault,
    standalone: async ({ dir, flags }) => {
      const passphrase = await readPassphrase(flags, { what: 'backup passphrase', confirm: false });
      const { restoreBackup } = await import('../vault/backupFile.js');
      return restoreBackup({ dir, inPath: flags.requiredText('in'), passphrase, force: flags.boolean('force') === true });
    },
  },
  {
    name: 'verify-vault',
    summary: 'Check the vault for damage or tampering, changing nothing.',
    operation: 'VerifyVault',
    flags: [],
    run: opensNoVault,
    standalone: async ({ dir }) => {
      const { verifyVaultDirectory } = await import('../vault/vaultVerifier.js');
      return verifyVaultDirectory({ dir });
    },
  },
];
