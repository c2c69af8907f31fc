/**
 * Backup files: the backup document (backupFormat.ts) as JSON inside one binary age file encrypted
 * under a passphrase (scrypt), so the stock `age -d` opens it too.
 *
 * Writing goes to a temporary file next to the target, which is fsynced and then linked into place
 * (refusing an existing file unless Overwrite, in which case it is renamed over it), and the
 * directory is fsynced: the target is either absent or a complete backup, never half of one.
 *
 * `restoreBackup` makes a working vault from a backup in a directory, with a NEW root secret in the
 * OS keychain (every version re-sealed under it). It never goes through openVault's create path,
 * so it works on a machine that has neither the vault nor its keychain entry.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { AlreadyExistsException, InvalidCiphertextException, NotFoundException, ValidationException } from '../core/errors.js';
import { AgeDecryptionError, decryptBuffer, encryptBuffer, ScryptIdentity, ScryptRecipient } from '../crypto/age/index.js';
import { deriveRootKeys, ROOT_SECRET_BYTES } from '../crypto/rootKeys.js';
import type { Keychain } from '../keychain/keychain.js';
import { createKeytarKeychain, keychainAccountForVault } from '../keychain/keychain.js';
import { VaultStore } from '../store/vaultStore.js';
import { archiveAuditLog, AuditLog } from './auditLog.js';
import { vaultIntegrity } from './openVault.js';
import type { BackupDocument } from './backupFormat.js';
import { vaultFromBackup } from './backupFormat.js';
import { MAX_ACCEPTED_WORK_FACTOR, RECOVERY_SCRYPT_WORK_FACTOR, validateGivenPassphrase } from './recoveryKit.js';

/** A backup larger than this is refused before it is read (a 10,000-key vault is about 10 MiB). */
const MAX_BACKUP_BYTES = 512 * 1024 * 1024;

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

async function fsyncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Not supported everywhere (Windows); the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

/** Writes `data` to `path` durably and atomically; never replaces an existing file unless `overwrite`. */
export async function writeFileDurably(path: string, data: Buffer, overwrite: boolean): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new NotFoundException(`The directory ${dir} does not exist.`);
  const targetStat = await stat(target).catch(() => null);
  if (targetStat?.isDirectory()) throw new ValidationException(`${target} is a directory.`);
  if (targetStat && !overwrite) throw new AlreadyExistsException(`${target} already exists; ask to overwrite it to replace it.`);
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (overwrite) {
      await rename(temp, target);
    } else {
      // link() fails if the target appeared meanwhile: no check-then-write race.
      try {
        await link(temp, target);
      } catch (err) {
        if (errorCode(err) === 'EEXIST') throw new AlreadyExistsException(`${target} already exists; ask to overwrite it to replace it.`);
        if (errorCode(err) !== 'EPERM' && errorCode(err) !== 'ENOTSUP' && errorCode(err) !== 'EXDEV') throw err;
        // A file system without hard links: fall back to rename after a last check.
        if (await stat(target).catch(() => null)) throw new AlreadyExistsException(`${target} already exists.`);
        await rename(temp, target);
      }
    }
    await fsyncDirectory(dir);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Encrypts a backup document under the passphrase as one binary age file (scrypt). */
export async function sealBackup(backup: BackupDocument, passphrase: string, workFactor = RECOVERY_SCRYPT_WORK_FACTOR): Promise<Buffer> {
  const json = Buffer.from(JSON.stringify(backup), 'utf8');
  try {
    return await encryptBuffer(json, [new ScryptRecipient(passphrase, { workFactor })]);
  } finally {
    json.fill(0);
  }
}

/** Decrypts a backup file's bytes; a wrong passphrase and a damaged file are told apart. */
export async function openBackup(file: Buffer, passphrase: string): Promise<unknown> {
  let plain: Buffer;
  try {
    plain = await decryptBuffer(file, [new ScryptIdentity(passphrase, { maxWorkFactor: MAX_ACCEPTED_WORK_FACTOR })]);
  } catch (err) {
    if (err instanceof AgeDecryptionError && (err.stage === 'no-match' || err.stage === 'hmac')) {
      throw new InvalidCiphertextException('The backup passphrase is not correct (or the file is not a passphrase-encrypted backup).', { cause: err });
    }
    throw new InvalidCiphertextException(`The backup file is damaged or is not an age file: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  try {
    return JSON.parse(plain.toString('utf8'));
  } catch (err) {
    throw new ValidationException('The file decrypts but is not a Key Vault backup (its content is not JSON).', { cause: err });
  } finally {
    plain.fill(0);
  }
}

export interface RestoreBackupOptions {
  dir: string;
  inPath: string;
  passphrase: string;
  keychain?: Keychain;
  clock?: Clock;
  /** Replace an existing vault in `dir`, and an existing keychain entry for the backup's vault id. */
  force?: boolean;
}

export interface RestoreBackupResponse {
  VaultId: string;
  VaultDirectory: string;
  KeyCount: number;
  VersionCount: number;
  /** Always false: the recovery kit wrapped the old root secret; set a recovery passphrase again. */
  RecoveryPassphraseSet: boolean;
}

export async function restoreBackup(opts: RestoreBackupOptions): Promise<RestoreBackupResponse> {
  const passphrase = validateGivenPassphrase(opts.passphrase, 'backup passphrase');
  const keychain = opts.keychain ?? createKeytarKeychain();
  const clock = opts.clock ?? systemClock;
  const inPath = resolve(opts.inPath);
  const info = await stat(inPath).catch(() => null);
  if (!info?.isFile()) throw new NotFoundException(`There is no backup file at ${inPath}.`);
  if (info.size > MAX_BACKUP_BYTES) throw new ValidationException(`${inPath} is too large to be a Key Vault backup.`);
  const json = await openBackup(await readFile(inPath), passphrase);

  const store = await VaultStore.open(opts.dir);
  try {
    if (store.exists() && !opts.force) {
      throw new AlreadyExistsException(`A vault already exists in ${store.dir}; restoring would replace it. Ask to force the restore to replace it.`);
    }
    const rootSecret = randomBytes(ROOT_SECRET_BYTES);
    try {
      const vaultId = typeof json === 'object' && json !== null && 'VaultId' in json && typeof json.VaultId === 'string' ? json.VaultId : '';
      // Validates everything (and re-seals) before anything is written.
      const doc = vaultFromBackup(json, deriveRootKeys(rootSecret, vaultId));
      const account = keychainAccountForVault(doc.VaultId);
      const previous = await keychain.getSecret(account);
      if (previous && !opts.force) {
        previous.fill(0);
        throw new AlreadyExistsException(
          `The OS keychain already holds a root secret for vault ${doc.VaultId}, so that vault is in use on this machine (perhaps in another directory). ` +
            'Restoring would replace its secret and leave that copy unreadable; ask to force the restore to replace it.',
        );
      }
      // The keychain first (as when a vault is created): a crash before the document is written
      // leaves only an entry that a forced restore replaces.
      await keychain.setSecret(account, rootSecret);
      const rootKeys = deriveRootKeys(rootSecret, doc.VaultId);
      store.attachIntegrity(vaultIntegrity(keychain, doc.VaultId, rootKeys));
      try {
        await store.replaceAll(doc);
      } catch (err) {
        if (previous) await keychain.setSecret(account, previous).catch(() => undefined);
        else await keychain.deleteSecret(account).catch(() => false);
        throw err;
      } finally {
        previous?.fill(0);
      }
      const archived = archiveAuditLog(join(store.dir, 'audit.log'), clock.now());
      const audit = new AuditLog(join(store.dir, 'audit.log'), rootKeys.auditKey);
      if (archived) audit.append({ Time: clock.now().toISOString(), Operation: 'StartAuditChain', Outcome: 'Success', Detail: `the log before the restore is ${basename(archived)}` });
      audit.append({ Time: clock.now().toISOString(), Operation: 'RestoreBackup', Outcome: 'Success', Detail: `restored from ${basename(inPath)} under a new root secret` });
      audit.close();
      const keys = Object.values(doc.Keys);
      return {
        VaultId: doc.VaultId,
        VaultDirectory: store.dir,
        KeyCount: keys.length,
        VersionCount: keys.reduce((n, k) => n + k.Versions.length, 0),
        RecoveryPassphraseSet: false,
      };
    } finally {
      rootSecret.fill(0);
    }
  } finally {
    store.close();
  }
}
