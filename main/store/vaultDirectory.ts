/**
 * The vault directory is private to its owner (0700): it holds the document, the audit log and
 * the lock file, and the lock (vaultLock.ts) is only unreachable to other users while nobody else
 * can enter it. New directories are created 0700 (vaultStore.ts); an existing one found with
 * looser modes (an old version, a restore, a sync tool) is tightened when the vault opens, and
 * the caller records that in the audit log.
 */
import { chmod, stat } from 'node:fs/promises';

export const VAULT_DIR_MODE = 0o700;

export interface DirectoryTightening {
  /** The permission bits found, e.g. 0o755. */
  before: number;
  /** The permission bits after the attempt: VAULT_DIR_MODE unless the file system refused. */
  after: number;
  /** Why it could not be tightened, when it could not. */
  error?: string;
}

/** Null when there is nothing to do (no directory yet, already private, or Windows). */
export async function tightenVaultDirectory(dir: string): Promise<DirectoryTightening | null> {
  if (process.platform === 'win32') return null;
  const st = await stat(dir).catch(() => null);
  if (st === null || !st.isDirectory()) return null;
  const before = st.mode & 0o7777;
  if ((before & 0o7077) === 0) return null; // owner bits only
  let error: string | undefined;
  try {
    await chmod(dir, VAULT_DIR_MODE);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const after = (await stat(dir)).mode & 0o7777;
  // Some file systems (FAT, some network mounts) accept chmod and change nothing.
  if (error === undefined && after !== VAULT_DIR_MODE) error = 'the file system did not apply the new mode';
  return { before, after, ...(error !== undefined ? { error } : {}) };
}

/** The audit line saying what was done (metadata only: the modes). */
export function tighteningAuditDetail(t: DirectoryTightening): string {
  const octal = (m: number): string => `0${m.toString(8).padStart(3, '0')}`;
  return t.error === undefined
    ? `vault directory was mode ${octal(t.before)}, open to other users; tightened to ${octal(t.after)}`
    : `vault directory is mode ${octal(t.before)}, open to other users, and could not be tightened to 0700: ${t.error}`;
}
