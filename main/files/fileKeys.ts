/** Opening a file's key through the vault port: the vault stanza first, then the stored identities. */
import { AgeDecryptionError, unwrapFileKey, type Identity, type ParsedHeader } from '../crypto/age/index.js';
import { VAULT_STANZA_TYPE, VaultStanzaIdentity, vaultStanzaRef, type VaultStanzaRef } from '../crypto/vaultStanza.js';
import { readFileHeader } from './fileHeader.js';
import { openInput } from './fileIo.js';
import type { VaultPort } from './vaultPort.js';

/**
 * The file key, trying the vault stanza first, then the stored identities and passphrases. Those
 * are unsealed only when the vault stanza does not open the file (a rewrap of many files under the
 * vault's own keys never pays for them).
 */
export async function unwrapForDecrypt(vault: VaultPort, parsed: ParsedHeader): Promise<{ fileKey: Buffer; opened: VaultStanzaRef | null }> {
  const vaultIdentity = new VaultStanzaIdentity(vault);
  try {
    if (parsed.stanzas.some((s) => s.type === VAULT_STANZA_TYPE)) {
      try {
        return { fileKey: await unwrapFileKey(parsed, [vaultIdentity]), opened: vaultIdentity.opened };
      } catch (err) {
        if (!(err instanceof AgeDecryptionError && err.stage === 'no-match')) throw err;
      }
    }
    const identities: Identity[] = [vaultIdentity, ...vault.storedIdentities(parsed.stanzas)];
    const fileKey = await unwrapFileKey(parsed, identities);
    return { fileKey, opened: vaultIdentity.opened };
  } catch (err) {
    if (err instanceof AgeDecryptionError && err.stage === 'no-match' && vaultIdentity.missing) throw vaultIdentity.missing;
    throw err;
  }
}

/** Best effort, for the audit line: the key named by a binary file's vault stanza. */
export async function peekKeyId(input: string): Promise<string | undefined> {
  try {
    const { fh, size } = await openInput(input);
    try {
      const header = await readFileHeader(fh, size);
      const s = header.parsed.stanzas.find((x) => x.type === VAULT_STANZA_TYPE);
      return s ? vaultStanzaRef(s).keyId : undefined;
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}
