/**
 * Reading a vault's root secret from the OS keychain, checked against the vault document. Shared
 * by opening (openVault.ts) and the recovery operations (recoveryService.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DependencyTimeoutException, KMSInvalidStateException } from '../core/errors.js';
import { deriveRootKeys, rootKeyMatches, ROOT_SECRET_BYTES } from '../crypto/rootKeys.js';
import type { Keychain } from '../keychain/keychain.js';
import { keychainAccountForVault } from '../keychain/keychain.js';
import type { VaultDocument } from '../store/vaultDocument.js';

export async function readRootSecret(keychain: Keychain, doc: Pick<VaultDocument, 'VaultId' | 'RootKeyCheck'>): Promise<Buffer> {
  const secret = await keychain.getSecret(keychainAccountForVault(doc.VaultId));
  if (!secret) {
    // A locked keychain whose unlock prompt cannot be shown answers reads with "nothing there".
    // Tell that apart from a really missing entry before sending the user to `recover`.
    await assertKeychainWritable(keychain);
    throw new KMSInvalidStateException(
      `The OS keychain has no root secret for vault ${doc.VaultId}. If this vault came from another machine or the keychain was reset, ` +
        'run `keyvault recover` with the recovery passphrase (or restore a backup); a new secret is never created for an existing vault.',
    );
  }
  if (secret.length !== ROOT_SECRET_BYTES || !rootKeyMatches(deriveRootKeys(secret, doc.VaultId), doc.RootKeyCheck)) {
    secret.fill(0);
    throw new KMSInvalidStateException(
      `The root secret in the OS keychain does not belong to vault ${doc.VaultId} (the entry was changed). Run \`keyvault recover\` with the recovery passphrase.`,
    );
  }
  return secret;
}

/**
 * Writes and deletes a throwaway entry. A keychain that refuses (locked, no unlock prompt possible,
 * not answering) is a DependencyTimeoutException: the vault's secret may well be in it.
 */
async function assertKeychainWritable(keychain: Keychain): Promise<void> {
  const probe = `probe-${randomUUID()}`;
  try {
    await keychain.setSecret(probe, randomBytes(ROOT_SECRET_BYTES));
  } catch (err) {
    throw new DependencyTimeoutException(
      `The OS keychain is locked or not answering, so the vault's root secret cannot be read: unlock the keychain (your login keyring) and try again. (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
  await keychain.deleteSecret(probe).catch(() => false);
}
