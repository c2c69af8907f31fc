/**
 * What the desktop tells the person when the window may not be in front: a key rotated on
 * schedule, a key whose deletion comes due within three days, a backup older than 30 days (or none
 * in a vault older than that). The wording is pure and tested; `createDesktopNotifier` reads the
 * vault, says each thing once per launch (a deletion again if its date changes) and shows it
 * through a port (Electron's Notification in the app, a recorder in tests).
 */
import type * as Api from '../core/api.js';

export const DELETION_WARNING_DAYS = 3;
export const BACKUP_REMINDER_DAYS = 30;
const DAY_MS = 86_400_000;

export interface DesktopNotice {
  /** Stable identity: the same fact is not shown twice. */
  id: string;
  title: string;
  body: string;
}

/** The name a person gave a key: its first alias without `alias/`, else its description, else a short id. */
export function keyName(key: Pick<Api.KeyMetadata, 'KeyId' | 'Aliases' | 'Description'>): string {
  const alias = key.Aliases[0];
  if (alias) return alias.replace(/^alias\//, '');
  if (key.Description.trim()) return key.Description.trim();
  return `key ${key.KeyId.slice(0, 8)}`;
}

/** "12 Jan" (with the year when it is not this year's), in the person's time zone. */
export function shortDate(iso: string, now: Date): string {
  const d = new Date(iso);
  const sameYear = d.getFullYear() === now.getFullYear();
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) });
}

function inDays(iso: string, now: Date): string {
  const days = Math.ceil((Date.parse(iso) - now.getTime()) / DAY_MS);
  if (days <= 0) return 'today';
  if (days === 1) return 'tomorrow';
  return `in ${days} days`;
}

/** An automatic rotation, in words; on-demand rotations were the person's own act and need none. */
export function rotationNotice(event: Api.RotationEvent, key: Pick<Api.KeyMetadata, 'KeyId' | 'Aliases' | 'Description'> | undefined): DesktopNotice | null {
  if (event.RotationType !== 'AUTOMATIC') return null;
  const name = key ? keyName(key) : `key ${event.KeyId.slice(0, 8)}`;
  return {
    id: `rotation:${event.KeyVersionId}`,
    title: 'Key rotated',
    body: `“${name}” was rotated on schedule. New files use its new version; files encrypted before still open.`,
  };
}

/** Keys whose deletion comes due within DELETION_WARNING_DAYS. */
export function deletionNotices(keys: readonly Api.KeyMetadata[], now: Date): DesktopNotice[] {
  const out: DesktopNotice[] = [];
  for (const key of keys) {
    if (key.KeyState !== 'PendingDeletion' || !key.DeletionDate) continue;
    const left = Date.parse(key.DeletionDate) - now.getTime();
    if (left > DELETION_WARNING_DAYS * DAY_MS) continue;
    const name = keyName(key);
    out.push({
      id: `deletion:${key.KeyId}:${key.DeletionDate}`,
      title: 'A key will be deleted soon',
      body: `“${name}” will be deleted ${inDays(key.DeletionDate, now)} (${shortDate(key.DeletionDate, now)}). Files encrypted under it will no longer open. Open Key Vault to cancel the deletion.`,
    });
  }
  return out;
}

/**
 * A reminder when the last backup is older than BACKUP_REMINDER_DAYS, or when there has never been
 * one and the vault (with at least one key) is older than that.
 */
export function backupReminder(opts: { lastBackupDate: string | undefined; vaultCreationDate: string; keyCount: number; now: Date }): DesktopNotice | null {
  if (opts.keyCount === 0) return null;
  const since = opts.lastBackupDate ?? opts.vaultCreationDate;
  const age = opts.now.getTime() - Date.parse(since);
  if (!(age > BACKUP_REMINDER_DAYS * DAY_MS)) return null;
  const days = Math.floor(age / DAY_MS);
  return {
    id: `backup:${since}`,
    title: 'Time for a backup',
    body: opts.lastBackupDate
      ? `Your last backup of the vault is ${days} days old. Keys made since then are not in it. Open Key Vault → Settings to save a new one.`
      : `The vault has never been backed up (it is ${days} days old). If this computer is lost, so are your keys. Open Key Vault → Settings to save a backup.`,
  };
}

/** The vault as the notifier reads it (structural, so tests pass a fake). */
export interface NotifierVault {
  listKeyDetails(): Promise<{ Keys: Api.KeyMetadata[] }>;
  getVaultInfo(): Promise<Pick<Api.VaultInfo, 'CreationDate' | 'KeyCount'>>;
  getRecoveryStatus(): Promise<Pick<Api.RecoveryStatus, 'LastBackupDate'>>;
}

export interface DesktopNotifier {
  /** Looks at deletions and the backup age now; shows what was not shown yet. */
  check(): Promise<DesktopNotice[]>;
  /** Notifies an automatic rotation (once per new version). */
  rotated(event: Api.RotationEvent): Promise<DesktopNotice | null>;
}

export function createDesktopNotifier(opts: { vault: NotifierVault; show: (notice: DesktopNotice) => void; now?: () => Date }): DesktopNotifier {
  const now = opts.now ?? (() => new Date());
  const shown = new Set<string>();
  const once = (notice: DesktopNotice): boolean => {
    if (shown.has(notice.id)) return false;
    shown.add(notice.id);
    opts.show(notice);
    return true;
  };
  return {
    async check() {
      const [{ Keys }, info, recovery] = await Promise.all([opts.vault.listKeyDetails(), opts.vault.getVaultInfo(), opts.vault.getRecoveryStatus()]);
      const at = now();
      const candidates = [
        ...deletionNotices(Keys, at),
        backupReminder({ lastBackupDate: recovery.LastBackupDate, vaultCreationDate: info.CreationDate, keyCount: info.KeyCount, now: at }),
      ];
      return candidates.filter((n): n is DesktopNotice => n !== null && once(n));
    },
    async rotated(event) {
      if (event.RotationType !== 'AUTOMATIC') return null;
      const { Keys } = await opts.vault.listKeyDetails().catch(() => ({ Keys: [] as Api.KeyMetadata[] }));
      const notice = rotationNotice(
        event,
        Keys.find((k) => k.KeyId === event.KeyId),
      );
      return notice && once(notice) ? notice : null;
    },
  };
}
