/**
 * The recovery key: 160 random bits a person can copy from paper, that wrap the vault's root secret.
 *
 * Form: 8 groups of 5 symbols from Crockford's base32 alphabet (no I, L, O, U), e.g.
 * `7KQ2M-0XW9C-...`. Each group is 4 data symbols (20 bits) and 1 check symbol. The check symbol is
 * a weighted sum mod 32 of the group's symbols with odd weights, plus the group's position: every
 * single mistyped symbol changes it (an odd weight is invertible mod 32), and so does a group
 * copied into the wrong place. So a typo is reported, with the group that holds it, before any
 * cryptography runs. Reading tolerates lower case, spaces and the look-alikes O→0, I/L→1.
 *
 * Wrapping: the key has 160 bits of entropy, so no password hashing is needed (nothing to slow
 * down: 2^160 guesses are out of reach at any speed). HKDF-SHA256 derives an AES-256-GCM key from
 * it, with a random salt and the vault id as context; the root secret is sealed with the vault id
 * as associated data. A well-formed wrong key fails the GCM tag: InvalidCiphertextException.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { InvalidCiphertextException, KMSInternalException, ValidationException } from '../core/errors.js';
import { ROOT_SECRET_BYTES } from '../crypto/rootKeys.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 8;
const DATA_SYMBOLS_PER_GROUP = 4;
const WEIGHTS = [1, 3, 5, 7] as const;
const GROUP_WEIGHT = 11;
export const RECOVERY_KEY_BYTES = (GROUPS * DATA_SYMBOLS_PER_GROUP * 5) / 8; // 20 bytes = 160 bits
const WRAP_PREFIX = 'kvrk1:';
const WRAP_LABEL = 'keyvault/v1/recovery-key-wrap';
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const SYMBOL_VALUE = new Map<string, number>();
for (let i = 0; i < ALPHABET.length; i++) SYMBOL_VALUE.set(ALPHABET[i] as string, i);
for (const [lookAlike, meant] of [
  ['O', '0'],
  ['I', '1'],
  ['L', '1'],
] as const)
  SYMBOL_VALUE.set(lookAlike, SYMBOL_VALUE.get(meant) as number);

function checkSymbol(group: number, data: readonly number[]): number {
  let sum = group * GROUP_WEIGHT;
  for (let i = 0; i < data.length; i++) sum += (WEIGHTS[i] as number) * (data[i] as number);
  return sum % 32;
}

/** The 5-bit values of `bytes`, most significant bits first. */
function toSymbols(bytes: Buffer): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push((acc >> bits) & 31);
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

function fromSymbols(symbols: readonly number[]): Buffer {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const s of symbols) {
    acc = (acc << 5) | s;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 255);
    }
    acc &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/** Formats 20 key bytes as the printed form (8 groups of 5 symbols joined by dashes). */
export function formatRecoveryKey(key: Buffer): string {
  if (key.length !== RECOVERY_KEY_BYTES) throw new KMSInternalException('A recovery key is 20 bytes.');
  const symbols = toSymbols(key);
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    const data = symbols.slice(g * DATA_SYMBOLS_PER_GROUP, (g + 1) * DATA_SYMBOLS_PER_GROUP);
    groups.push([...data, checkSymbol(g, data)].map((v) => ALPHABET[v]).join(''));
  }
  return groups.join('-');
}

/** A new random recovery key: its bytes and its printed form. */
export function generateRecoveryKey(): { key: Buffer; text: string } {
  const key = randomBytes(RECOVERY_KEY_BYTES);
  return { key, text: formatRecoveryKey(key) };
}

/**
 * Reads a typed recovery key back to its 20 bytes. Anything malformed or mistyped is a
 * ValidationException naming the group to check; no key material is derived before that.
 */
export function parseRecoveryKey(text: unknown): Buffer {
  if (typeof text !== 'string') throw new ValidationException('The recovery key must be text.');
  // Bound before any work: the printed form is 47 characters.
  if (text.length > 200) throw new ValidationException('That is not a recovery key: it is far too long.');
  const compact = text.toUpperCase().replace(/[\s-]/g, '');
  const perGroup = DATA_SYMBOLS_PER_GROUP + 1;
  if (compact.length !== GROUPS * perGroup) {
    throw new ValidationException(`A recovery key has ${GROUPS} groups of ${perGroup} symbols (${GROUPS * perGroup} in all); this one has ${compact.length}.`);
  }
  const data: number[] = [];
  for (let g = 0; g < GROUPS; g++) {
    const values: number[] = [];
    for (const ch of compact.slice(g * perGroup, (g + 1) * perGroup)) {
      const v = SYMBOL_VALUE.get(ch);
      if (v === undefined) throw new ValidationException(`Group ${g + 1} of the recovery key holds a character that is not in its alphabet.`);
      values.push(v);
    }
    const groupData = values.slice(0, DATA_SYMBOLS_PER_GROUP);
    if (checkSymbol(g, groupData) !== values[DATA_SYMBOLS_PER_GROUP]) {
      throw new ValidationException(`Group ${g + 1} of the recovery key is mistyped (its check symbol does not match); compare it with the sheet.`);
    }
    data.push(...groupData);
  }
  return fromSymbols(data);
}

function wrappingKey(recoveryKey: Buffer, salt: Buffer, vaultId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', recoveryKey, salt, `${WRAP_LABEL}|${vaultId}`, 32));
}

/** Seals the root secret under the recovery key (for `Recovery Key` in the vault document). */
export function wrapRootSecretWithKey(rootSecret: Buffer, recoveryKey: Buffer, vaultId: string): string {
  if (rootSecret.length !== ROOT_SECRET_BYTES) throw new KMSInternalException('The root secret has the wrong length.');
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const key = wrappingKey(recoveryKey, salt, vaultId);
  try {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(vaultId, 'utf8'));
    const sealed = Buffer.concat([cipher.update(rootSecret), cipher.final()]);
    return WRAP_PREFIX + Buffer.concat([salt, iv, sealed, cipher.getAuthTag()]).toString('base64');
  } finally {
    key.fill(0);
  }
}

/** Opens the wrapped root secret; a wrong (well-formed) key is InvalidCiphertextException. */
export function unwrapRootSecretWithKey(wrapped: string, recoveryKey: Buffer, vaultId: string): Buffer {
  const raw = wrapped.startsWith(WRAP_PREFIX) ? Buffer.from(wrapped.slice(WRAP_PREFIX.length), 'base64') : Buffer.alloc(0);
  if (raw.length !== SALT_BYTES + IV_BYTES + ROOT_SECRET_BYTES + TAG_BYTES) {
    throw new KMSInternalException('The recovery-key record in the vault document is damaged; use the recovery passphrase or a backup instead.');
  }
  const salt = raw.subarray(0, SALT_BYTES);
  const iv = raw.subarray(SALT_BYTES, SALT_BYTES + IV_BYTES);
  const sealed = raw.subarray(SALT_BYTES + IV_BYTES, raw.length - TAG_BYTES);
  const key = wrappingKey(recoveryKey, salt, vaultId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(vaultId, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed), decipher.final()]);
  } catch (err) {
    throw new InvalidCiphertextException('The recovery key is not the one of this vault (it is well formed, but it does not open the vault).', { cause: err });
  } finally {
    key.fill(0);
  }
}
