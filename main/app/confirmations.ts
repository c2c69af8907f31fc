/**
 * The words of every confirmation main shows before an operation that exports or widens access,
 * or replaces something. Each names exactly what will happen; pure, so tests read them.
 */
import { basename, dirname } from 'node:path';
import type { ConfirmRequest } from './nativeDialogs.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function confirmExportBackup(outPath: string, keyCount: number, replacesFile: boolean): ConfirmRequest {
  return {
    title: 'Export a backup',
    message: `Write a backup of all ${plural(keyCount, 'key')} to ${outPath}?`,
    detail:
      'Anyone who has this file and its passphrase can decrypt everything these keys protect. Keep it somewhere only you can reach.' +
      (replacesFile ? ` The file ${basename(outPath)} that is already there will be replaced.` : ''),
    confirmLabel: 'Export backup',
  };
}

/** keyCount null: the current vault cannot be read (it failed its integrity check). */
export function confirmRestoreBackup(backupPath: string, vaultDir: string, keyCount: number | null, aliases: readonly string[]): ConfirmRequest {
  const named = aliases.length > 0 ? ` (${aliases.slice(0, 5).join(', ')}${aliases.length > 5 ? ', …' : ''})` : '';
  const current = keyCount === null ? `Everything now in ${vaultDir}` : `The ${plural(keyCount, 'key')} now in ${vaultDir}${named}`;
  return {
    title: 'Restore a backup',
    message: `Replace this vault with the backup ${basename(backupPath)}?`,
    detail:
      `${current} will be replaced by the keys in ${backupPath}. ` +
      'Files encrypted under a key that is not in the backup can no longer be decrypted. ' +
      'The recovery passphrase must be set again afterwards, and Key Vault restarts.',
    confirmLabel: 'Replace vault',
  };
}

export function confirmAddRecoveryRecipient(recipient: string): ConfirmRequest {
  return {
    title: 'Add a recovery recipient',
    message: `Let ${recipient} open every file you encrypt from now on?`,
    detail: 'Whoever holds the private key of this recipient can decrypt those files without Key Vault. Add only a recipient you control.',
    confirmLabel: 'Add recipient',
  };
}

/** `publicKeys`: derived in main from the secret keys themselves, never from a comment the page wrote. */
export function confirmAddIdentity(publicKeys: readonly string[]): ConfirmRequest {
  return {
    title: 'Add an age identity',
    message:
      publicKeys.length === 1
        ? `Store the secret age identity for ${publicKeys[0]} in this vault?`
        : `Store ${publicKeys.length} secret age identities (${publicKeys.join(', ')}) in this vault?`,
    detail: 'Key Vault will use it to decrypt age files encrypted to it. Anyone who can use this vault can then open those files.',
    confirmLabel: 'Add identity',
  };
}

export function confirmSetRecoveryPassphrase(removing: boolean, alreadySet: boolean): ConfirmRequest {
  if (removing) {
    return {
      title: 'Remove the recovery passphrase',
      message: 'Remove the recovery passphrase of this vault?',
      detail: 'If the OS keychain loses the root secret, only a backup can bring the keys back.',
      confirmLabel: 'Remove passphrase',
    };
  }
  return {
    title: alreadySet ? 'Change the recovery passphrase' : 'Set a recovery passphrase',
    message: alreadySet ? 'Replace the recovery passphrase of this vault?' : 'Set a recovery passphrase for this vault?',
    detail:
      'Anyone who has this passphrase and a copy of the vault folder can recover every key in it.' + (alreadySet ? ' The old passphrase stops working.' : ''),
    confirmLabel: alreadySet ? 'Change passphrase' : 'Set passphrase',
  };
}

export function confirmReplaceOutput(outputPath: string, inputName: string, operation: 'Encrypt' | 'Decrypt'): ConfirmRequest {
  const made = operation === 'Encrypt' ? 'the encrypted copy' : 'the decrypted copy';
  return {
    title: 'Replace a file',
    message: `Replace ${basename(outputPath)} in ${dirname(outputPath)}?`,
    detail: `It will be overwritten by ${made} of ${inputName}. Its current content cannot be brought back.`,
    confirmLabel: 'Replace',
  };
}

/** A calendar date in words ("30 Nov 2026"), the same on every machine (UTC). */
export function dateInWords(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/**
 * Before a key version's destruction is scheduled (issue 12): names the key, the version by its
 * date, the files the vault knows still on it, and what the vault cannot know.
 */
export function confirmScheduleVersionDestruction(o: { keyName: string; versionCreated: string; knownFiles: number; days: number }): ConfirmRequest {
  const files =
    o.knownFiles === 0
      ? 'The vault knows of no file still on this version.'
      : `${plural(o.knownFiles, 'file')} the vault knows of ${o.knownFiles === 1 ? 'is' : 'are'} still on this version and will no longer open.`;
  return {
    title: 'Destroy a key version',
    message: `Destroy the version of ${dateInWords(o.versionCreated)} of ${o.keyName} in ${plural(o.days, 'day')}?`,
    detail:
      `${files} Small ciphertexts made with Encrypt (text, data keys) cannot be inventoried, so the vault cannot tell whether any still need this version: re-encrypt them first. ` +
      'Once the waiting period has passed, the version is erased from this vault and from every later backup, and nothing encrypted under it can be decrypted again. You can cancel until then.',
    confirmLabel: 'Schedule destruction',
  };
}
