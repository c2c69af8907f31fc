/**
 * Edits of vault.json made behind the vault's back, as the integrity tests' attackers make them:
 * without the root secret (the MAC member is kept, now wrong, or removed), or with it (re-sealed:
 * what a tool holding the root secret could do, used to test the defences below the MAC).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sealDocument, DOCUMENT_MAC_FIELD } from '../../main/crypto/documentMac.js';
import { deriveRootKeys } from '../../main/crypto/rootKeys.js';
import type { Keychain } from '../../main/keychain/keychain.js';
import { keychainAccountForVault } from '../../main/keychain/keychain.js';
import type { VaultDocument } from '../../main/store/vaultDocument.js';

type Stored = VaultDocument & { [DOCUMENT_MAC_FIELD]?: string };

export function vaultFile(dir: string): string {
  return join(dir, 'vault.json');
}

export function readStored(dir: string): Stored {
  return JSON.parse(readFileSync(vaultFile(dir), 'utf8')) as Stored;
}

/** Edits fields and writes the file back with its old MAC member (now wrong). */
export function editKeepingMac(dir: string, edit: (doc: VaultDocument) => void): void {
  const doc = readStored(dir);
  edit(doc);
  writeFileSync(vaultFile(dir), JSON.stringify(doc));
}

/** Writes the document without any MAC member (as an earlier version would have). */
export function writeWithoutMac(dir: string, edit: (doc: VaultDocument) => void = () => undefined): void {
  const doc = readStored(dir);
  delete doc[DOCUMENT_MAC_FIELD];
  edit(doc);
  writeFileSync(vaultFile(dir), JSON.stringify(doc));
}

/** Edits fields and seals the result with the vault's real MAC key (taken from the keychain). */
export async function editAndReseal(dir: string, keychain: Keychain, edit: (doc: VaultDocument) => void): Promise<void> {
  const doc = readStored(dir);
  delete doc[DOCUMENT_MAC_FIELD];
  const vaultId = doc.VaultId;
  edit(doc);
  const secret = await keychain.getSecret(keychainAccountForVault(vaultId));
  if (!secret) throw new Error(`no root secret for ${vaultId}`);
  const { macKey } = deriveRootKeys(secret, vaultId);
  writeFileSync(vaultFile(dir), sealDocument([Buffer.from(JSON.stringify(doc))], macKey));
}
