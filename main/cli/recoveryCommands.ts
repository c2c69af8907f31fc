/**
 * The recovery and backup commands of the table (commandTable.ts). `recover`, `restore-backup` and
 * `verify-vault` run standalone: they must work when the vault cannot be opened normally (no
 * keychain entry, no vault yet, a damaged document), so they never go through openVault.
 * The vault modules are imported when a command runs, to keep `--help` fast.
 */
import type { CommandSpec } from './commandSpec.js';
import { passphraseFileFlag, readPassphrase, readRecoveryKey, readSecretFileBytes, recoveryKeyFileFlag } from './passphraseInput.js';

const opensNoVault = (): Promise<never> => Promise.reject(new Error('internal: this command runs standalone'));

/** The error for two ways of giving the same thing at once. */
async function oneOf(first: string, second: string): Promise<Error> {
  const { ValidationException } = await import('../core/errors.js');
  return new ValidationException(`Give either ${first} or ${second}, not both.`);
}

export const RECOVERY_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'set-recovery-passphrase',
    summary: 'Keep the root secret in the vault wrapped under a recovery passphrase (or remove it).',
    operation: 'SetRecoveryPassphrase',
    flags: [
      passphraseFileFlag('new recovery passphrase (at least 8 characters, and strong by the zxcvbn estimator)'),
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
    name: 'create-recovery-key',
    summary: 'Make a printed recovery key (shown once) that can put the root secret back into the keychain.',
    operation: 'CreateRecoveryKey',
    flags: [
      { name: 'sheet', kind: 'text', value: 'FILE', help: 'Also write a printable recovery sheet (HTML) to this new file.' },
      { name: 'replace', kind: 'switch', help: 'Replace the existing recovery key (its printed sheet stops working).' },
    ],
    run: async ({ service, flags }) => {
      const sheetPath = flags.text('sheet');
      const created = await service.createRecoveryKey(flags.boolean('replace') ? { Replace: true } : {});
      if (sheetPath === undefined) return { RecoveryKey: created.RecoveryKey };
      const { writeFileDurably } = await import('../vault/backupFile.js');
      const { resolve } = await import('node:path');
      try {
        await writeFileDurably(sheetPath, Buffer.from(created.SheetHtml, 'utf8'), false);
      } catch (err) {
        // The key is made: print it anyway, so it is not lost with the sheet.
        const reason = err instanceof Error ? err.message : String(err);
        return { RecoveryKey: created.RecoveryKey, SheetError: `The sheet was not written: ${reason}` };
      }
      return { RecoveryKey: created.RecoveryKey, SheetPath: resolve(sheetPath) };
    },
  },
  {
    name: 'recover',
    summary: 'Write the root secret into the OS keychain again, from the recovery passphrase or the recovery key.',
    operation: 'RecoverVault',
    flags: [
      passphraseFileFlag('recovery passphrase'),
      recoveryKeyFileFlag,
      { name: 'recovery-key', kind: 'switch', help: 'Ask for the printed recovery key on the terminal (not echoed) instead of the passphrase.' },
    ],
    run: opensNoVault,
    needsExistingVault: true,
    standalone: async ({ dir, flags }) => {
      const { recoverVault } = await import('../vault/recoveryKit.js');
      const byKey = flags.text('recovery-key-file') !== undefined || flags.boolean('recovery-key') === true;
      if (byKey && flags.text('passphrase-file') !== undefined) throw await oneOf('--passphrase-file', 'the recovery key');
      if (byKey) {
        return recoverVault({ dir, recoveryKey: await readRecoveryKey(flags) });
      }
      const passphrase = await readPassphrase(flags, { what: 'recovery passphrase', confirm: false });
      return recoverVault({ dir, passphrase });
    },
  },
  {
    name: 'export-backup',
    summary: 'Write the whole vault, key material included, to one age file (passphrase- or recipient-encrypted).',
    operation: 'ExportBackup',
    flags: [
      { name: 'out', kind: 'text', required: true, value: 'PATH', help: 'The backup file to write.' },
      { name: 'overwrite', kind: 'switch', help: 'Replace the file if it exists (never done otherwise).' },
      {
        name: 'recipient',
        kind: 'text',
        value: 'AGE1...',
        help: 'Encrypt to these age X25519 recipients (comma-separated) instead of a passphrase; open with restore-backup --identity-file.',
      },
      passphraseFileFlag('backup passphrase (at least 8 characters, and strong by the zxcvbn estimator)'),
    ],
    run: async ({ service, flags }) => {
      const recipients = flags.text('recipient');
      if (recipients !== undefined && flags.text('passphrase-file') !== undefined) throw await oneOf('--passphrase-file', '--recipient');
      return service.exportBackup({
        OutPath: flags.requiredText('out'),
        ...(recipients !== undefined
          ? {
              Recipients: recipients
                .split(',')
                .map((r) => r.trim())
                .filter((r) => r.length > 0),
            }
          : { Passphrase: await readPassphrase(flags, { what: 'backup passphrase', confirm: true }) }),
        ...(flags.boolean('overwrite') ? { Overwrite: true } : {}),
      });
    },
  },
  {
    name: 'restore-backup',
    summary: 'Make a working vault from a backup file; never touches the keychain entry of a vault in use elsewhere.',
    operation: 'RestoreBackup',
    flags: [
      { name: 'in', kind: 'text', required: true, value: 'PATH', help: 'The backup file (written by export-backup).' },
      { name: 'force', kind: 'switch', help: 'Replace an existing vault in the directory.' },
      { name: 'identity-file', kind: 'text', value: 'PATH', help: 'An age identity file (AGE-SECRET-KEY-1...) for a backup made with --recipient.' },
      passphraseFileFlag('backup passphrase'),
    ],
    run: opensNoVault,
    standalone: async ({ dir, flags }) => {
      const identityFile = flags.text('identity-file');
      if (identityFile !== undefined && flags.text('passphrase-file') !== undefined) throw await oneOf('--passphrase-file', '--identity-file');
      const { restoreBackup } = await import('../vault/backupRestore.js');
      const common = { dir, inPath: flags.requiredText('in'), force: flags.boolean('force') === true };
      if (identityFile === undefined) {
        return restoreBackup({ ...common, passphrase: await readPassphrase(flags, { what: 'backup passphrase', confirm: false }) });
      }
      const bytes = readSecretFileBytes(identityFile, 'identity');
      try {
        return await restoreBackup({ ...common, identityFileText: bytes.toString('latin1') });
      } finally {
        bytes.fill(0);
      }
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
