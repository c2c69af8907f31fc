/**
 * Recovery stanzas: standard age X25519 stanzas (stock `age -d -i recovery.key` opens them) whose
 * ephemeral key is derived from the file key and the recipient instead of drawn at random.
 *
 * X25519 stanzas do not name their recipient, so without this nobody could tell which recovery
 * recipients a file carries. With it, whoever can unwrap the file key (the vault, through the
 * vault stanza) recomputes the expected ephemeral share for each recipient of its list and
 * compares: inspect-file reports them by name. The ephemeral secret is HKDF of the 128-bit file
 * key, so to anyone without the file key it is as unpredictable as a random one, and the file key
 * is exactly what the stanza protects anyway.
 */
import { createPrivateKey, createPublicKey, diffieHellman, hkdfSync, type KeyObject } from 'node:crypto';
import { encodeBase64NoPad } from '../crypto/age/encoding.js';
import { invalidInput } from '../crypto/age/errors.js';
import { X25519Recipient, type Recipient, type Stanza } from '../crypto/age/index.js';
import { sealZeroNonce } from '../crypto/age/primitives.js';

const EPHEMERAL_INFO = 'keyvault.local/recovery ephemeral';
const X25519_INFO = 'age-encryption.org/v1/X25519';
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
}

function ephemeralFor(fileKey: Uint8Array, recipientKey: Buffer): { secret: KeyObject; share: Buffer } {
  const raw = hkdf(fileKey, recipientKey, EPHEMERAL_INFO);
  const secret = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  raw.fill(0);
  const der = createPublicKey(secret).export({ format: 'der', type: 'spki' });
  return { secret, share: Buffer.from(der.subarray(der.length - 32)) };
}

/** The base64 ephemeral share the stanza for `recipient` carries in a file with this file key. */
export function expectedRecoveryShare(fileKey: Uint8Array, recipient: X25519Recipient): string {
  return encodeBase64NoPad(ephemeralFor(fileKey, recipient.publicKey).share);
}

/** age Recipient producing a standard X25519 stanza with a file-key-derived ephemeral. */
export class RecoveryRecipient implements Recipient {
  constructor(readonly recipient: X25519Recipient) {}

  static parse(text: string): RecoveryRecipient {
    return new RecoveryRecipient(X25519Recipient.parse(text));
  }

  wrap(fileKey: Buffer): Stanza[] {
    const them = this.recipient.publicKey;
    const { secret, share } = ephemeralFor(fileKey, them);
    const peer = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, them]), format: 'der', type: 'spki' });
    let shared: Buffer;
    try {
      shared = diffieHellman({ privateKey: secret, publicKey: peer });
    } catch {
      throw invalidInput('recovery recipient is a low-order point');
    }
    if (shared.every((b) => b === 0)) throw invalidInput('recovery recipient is a low-order point');
    const wrapKey = hkdf(shared, Buffer.concat([share, them]), X25519_INFO);
    shared.fill(0);
    return [{ type: 'X25519', args: [encodeBase64NoPad(share)], body: sealZeroNonce(wrapKey, fileKey) }];
  }
}
