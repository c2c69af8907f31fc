/**
 * Backup files: the backup document (backupFormat.ts) as JSON inside one binary age file encrypted
 * under a passphrase (scrypt) or to age X25519 recipients, so the stock `age -d` opens it too.
 *
 * Writing goes to a temporary file next to the target, which is fsynced and then linked into place
 * (refusing an existing file unless Overwrite, in which case it is renamed over it), and the
 * directory is fsynced: the target is either absent or a complete backup, never half of one.
 * Restoring is backupRestore.ts.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AlreadyExistsException, InvalidCiphertextException, NotFoundException, ValidationException } from '../core/errors.js';
import type { X25519Identity } from '../crypto/age/index.js';
import { AgeDecryptionError, decryptBuffer, encryptBuffer, ScryptIdentity, ScryptRecipient, X25519Recipient } from '../crypto/age/index.js';
import { publishFile, tempSiblingPath } from '../store/durableFiles.js';
import type { BackupDocument } from './backupFormat.js';
import { MAX_ACCEPTED_WORK_FACTOR, RECOVERY_SCRYPT_WORK_FACTOR } from './recoveryKit.js';

/** A backup larger than this is refused before it is read (a 10,000-key vault is about 10 MiB). */
const MAX_BACKUP_BYTES = 512 * 1024 * 1024;

/** Writes `data` to `path` durably and atomically; never replaces an existing file unless `overwrite`. */
export async function writeFileDurably(path: string, data: Buffer, overwrite: boolean): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new NotFoundException(`The directory ${dir} does not exist.`);
  const targetStat = await stat(target).catch(() => null);
  if (targetStat?.isDirectory()) throw new ValidationException(`${target} is a directory.`);
  if (targetStat && !overwrite) throw new AlreadyExistsException(`${target} already exists; ask to overwrite it to replace it.`);
  const temp = tempSiblingPath(target);
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await publishFile(temp, target, overwrite, `${target} already exists; ask to overwrite it to replace it.`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Who can open a backup: a passphrase (scrypt), or the holders of age X25519 identities. */
export type BackupProtection = { passphrase: string } | { recipients: readonly string[] };
/** What opens a backup. */
export type BackupKey = { passphrase: string } | { identities: readonly X25519Identity[] };

/** Parses `age1...` recipients for a backup (at least one; each a ValidationException when malformed). */
export function parseBackupRecipients(recipients: unknown): X25519Recipient[] {
  if (!Array.isArray(recipients) || recipients.length === 0) throw new ValidationException('Recipients must be a non-empty list of age1... recipients.');
  if (recipients.length > 100) throw new ValidationException('A backup can have at most 100 recipients.');
  return recipients.map((r, i) => {
    if (typeof r !== 'string' || r.length > 200) throw new ValidationException(`Recipient ${i + 1} is not an age1... recipient.`);
    try {
      return X25519Recipient.parse(r.trim());
    } catch {
      throw new ValidationException(`Recipient ${i + 1} is not a valid age1... X25519 recipient.`);
    }
  });
}

/** Encrypts a backup document as one binary age file: under a passphrase, or to age recipients. */
export async function sealBackup(backup: BackupDocument, protection: BackupProtection, workFactor = RECOVERY_SCRYPT_WORK_FACTOR): Promise<Buffer> {
  const recipients = 'passphrase' in protection ? [new ScryptRecipient(protection.passphrase, { workFactor })] : parseBackupRecipients(protection.recipients);
  const json = Buffer.from(JSON.stringify(backup), 'utf8');
  try {
    return await encryptBuffer(json, recipients);
  } finally {
    json.fill(0);
  }
}

/** Decrypts a backup file's bytes; a wrong passphrase or identity and a damaged file are told apart. */
export async function openBackup(file: Buffer, key: BackupKey): Promise<unknown> {
  const byPassphrase = 'passphrase' in key;
  const identities = byPassphrase ? [new ScryptIdentity(key.passphrase, { maxWorkFactor: MAX_ACCEPTED_WORK_FACTOR })] : [...key.identities];
  let plain: Buffer;
  try {
    plain = await decryptBuffer(file, identities);
  } catch (err) {
    if (err instanceof AgeDecryptionError && (err.stage === 'no-match' || err.stage === 'hmac')) {
      throw new InvalidCiphertextException(
        byPassphrase
          ? 'The backup passphrase is not correct (or the file is not a passphrase-encrypted backup).'
          : 'None of the identities in the identity file opens this backup (or it is a passphrase-encrypted backup).',
        { cause: err },
      );
    }
    throw new InvalidCiphertextException(`The backup file is damaged or is not an age file: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  try {
    return JSON.parse(plain.toString('utf8'));
  } catch (err) {
    throw new ValidationException('The file decrypts but is not a Key Vault backup (its content is not JSON).', { cause: err });
  } finally {
    plain.fill(0);
  }
}

/** Reads a backup file, bounded: a missing or non-regular file is NotFoundException, an oversized one ValidationException. */
export async function readBackupFile(path: string): Promise<Buffer> {
  const inPath = resolve(path);
  const info = await stat(inPath).catch(() => null);
  if (!info?.isFile()) throw new NotFoundException(`There is no backup file at ${inPath}.`);
  if (info.size > MAX_BACKUP_BYTES) throw new ValidationException(`${inPath} is too large to be a Key Vault backup.`);
  const data = await readFile(inPath);
  if (data.length > MAX_BACKUP_BYTES) throw new ValidationException(`${inPath} is too large to be a Key Vault backup.`);
  return data;
}
