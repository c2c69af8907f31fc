/**
 * The vault stanza of an age header: `-> keyvault.local/cmk <keyId> <keyVersionId>` whose body is
 * the 16-byte file key wrapped under that key version's 32-byte material.
 *
 * Body (48 bytes, always the same size): salt (16) ‖ ChaCha20-Poly1305 ciphertext (16) ‖ tag (16),
 * under HKDF-SHA-256(material, salt, "keyvault.local/cmk file key") with a zero nonce (the key is
 * used once) and the stanza type and arguments as associated data, so a body moved to another
 * key or version does not open. Because the arguments are two UUIDs and the body has a fixed
 * size, a rewrapped header has exactly the byte length of the old one (the in-place re-encrypt).
 *
 * Opening goes through the vault (`materialForDecrypt`), so the key state rules apply: a disabled
 * key gives DisabledException, a key pending deletion KMSInvalidStateException, a deleted key
 * NotFoundException. A damaged stanza is an InvalidCiphertextException.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { NotFoundException } from '../core/errors.js';
import { isUuid } from '../core/keyIdentifier.js';
import { headerError } from './age/errors.js';
import type { Identity, Recipient, Stanza } from './age/index.js';
import { FILE_KEY_SIZE } from './age/primitives.js';
import { AEAD_TAG_BYTES } from './aeadSizes.js';
import { hkdfSha256 } from './age/hmacSha256.js';

export const VAULT_STANZA_TYPE = 'keyvault.local/cmk';
const INFO = 'keyvault.local/cmk file key';
const FILE_KEY_BYTES = FILE_KEY_SIZE;
const SALT_BYTES = 16;
const TAG_BYTES = AEAD_TAG_BYTES;
export const VAULT_STANZA_BODY_BYTES = SALT_BYTES + FILE_KEY_BYTES + TAG_BYTES;
const ZERO_NONCE = Buffer.alloc(12);

/** What the stanza needs from the vault: key material with the key state rules applied. */
export interface VaultKeyMaterialSource {
  materialForEncrypt(keyIdentifier: string): { key: { KeyId: string }; version: { KeyVersionId: string }; material: Buffer };
  materialForDecrypt(keyId: string, versionId: string): { key: { KeyId: string }; version: { KeyVersionId: string }; material: Buffer };
}

/** The key and version a vault stanza names. */
export interface VaultStanzaRef {
  keyId: string;
  keyVersionId: string;
}

function wrapKey(material: Buffer, salt: Buffer): Buffer {
  return hkdfSha256(material, salt, INFO);
}

function associatedData(ref: VaultStanzaRef): Buffer {
  return Buffer.from(`${VAULT_STANZA_TYPE} ${ref.keyId} ${ref.keyVersionId}`, 'latin1');
}

/** Wraps a file key under a version's material (exported for tests and the re-encrypt path). */
export function sealVaultStanza(ref: VaultStanzaRef, material: Buffer, fileKey: Buffer): Stanza {
  if (fileKey.length !== FILE_KEY_BYTES) throw new RangeError('age file keys are 16 bytes');
  const salt = randomBytes(SALT_BYTES);
  const c = createCipheriv('chacha20-poly1305', wrapKey(material, salt), ZERO_NONCE, { authTagLength: TAG_BYTES });
  c.setAAD(associatedData(ref), { plaintextLength: FILE_KEY_BYTES });
  const ct = c.update(fileKey);
  c.final();
  return { type: VAULT_STANZA_TYPE, args: [ref.keyId, ref.keyVersionId], body: Buffer.concat([salt, ct, c.getAuthTag()]) };
}

/** The key and version named by a vault stanza; throws InvalidCiphertextException if malformed. */
export function vaultStanzaRef(s: Stanza): VaultStanzaRef {
  if (s.type !== VAULT_STANZA_TYPE) throw headerError(`not a ${VAULT_STANZA_TYPE} stanza`);
  const [keyId, keyVersionId] = s.args;
  if (s.args.length !== 2 || keyId === undefined || keyVersionId === undefined || !isUuid(keyId) || !isUuid(keyVersionId)) {
    throw headerError(`${VAULT_STANZA_TYPE} stanza must name a key id and a key version id`);
  }
  if (s.body.length !== VAULT_STANZA_BODY_BYTES) throw headerError(`${VAULT_STANZA_TYPE} stanza body has the wrong length`);
  return { keyId, keyVersionId };
}

/** Opens a vault stanza body with the material of the version it names; throws if it does not open. */
export function openVaultStanza(s: Stanza, material: Buffer): Buffer {
  const ref = vaultStanzaRef(s);
  const salt = s.body.subarray(0, SALT_BYTES);
  const ct = s.body.subarray(SALT_BYTES, SALT_BYTES + FILE_KEY_BYTES);
  const d = createDecipheriv('chacha20-poly1305', wrapKey(material, salt), ZERO_NONCE, { authTagLength: TAG_BYTES });
  d.setAAD(associatedData(ref), { plaintextLength: FILE_KEY_BYTES });
  d.setAuthTag(s.body.subarray(SALT_BYTES + FILE_KEY_BYTES));
  const fileKey = d.update(ct);
  try {
    d.final();
  } catch (err) {
    fileKey.fill(0);
    throw headerError(`the ${VAULT_STANZA_TYPE} stanza does not open under key ${ref.keyId} version ${ref.keyVersionId} (the header was modified)`, err);
  }
  return fileKey;
}

/** age Recipient: wraps the file key under the primary version of a vault key. */
export class VaultStanzaRecipient implements Recipient {
  /** The key and version the last wrap used (known once the header is built). */
  used: VaultStanzaRef | null = null;

  constructor(
    private readonly vault: VaultKeyMaterialSource,
    private readonly keyIdentifier: string,
  ) {}

  wrap(fileKey: Buffer): Stanza[] {
    const { key, version, material } = this.vault.materialForEncrypt(this.keyIdentifier);
    const ref = { keyId: key.KeyId, keyVersionId: version.KeyVersionId };
    this.used = ref;
    return [sealVaultStanza(ref, material, fileKey)];
  }
}

/**
 * age Identity: unwraps the vault stanzas of a header through the vault. A stanza naming a key
 * this vault does not have is skipped (another identity may open the file); if nothing else
 * does, `missing` holds the NotFoundException to report. Every other key state failure aborts.
 */
export class VaultStanzaIdentity implements Identity {
  /** The stanza that opened the file key, once one did. */
  opened: VaultStanzaRef | null = null;
  missing: NotFoundException | null = null;

  constructor(private readonly vault: VaultKeyMaterialSource) {}

  unwrap(stanzas: readonly Stanza[]): Buffer | null {
    for (const s of stanzas) {
      if (s.type !== VAULT_STANZA_TYPE) continue;
      const ref = vaultStanzaRef(s);
      let material: Buffer;
      try {
        material = this.vault.materialForDecrypt(ref.keyId, ref.keyVersionId).material;
      } catch (err) {
        if (err instanceof NotFoundException) {
          this.missing ??= err;
          continue;
        }
        throw err;
      }
      const fileKey = openVaultStanza(s, material);
      this.opened = ref;
      return fileKey;
    }
    return null;
  }
}
