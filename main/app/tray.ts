/**
 * The tray icon: says when the next rotation is (and which deletions are coming), and offers the
 * few things worth doing from there: open the window, look for due rotations now, quit. The menu is
 * a plain model built from the vault's key list (tested under Node); `createAppTray` puts it on a
 * tray through a port, so the shell test drives it with a mock of Electron's Tray and Menu.
 */
import type * as Api from '../core/api.js';
import { keyName, shortDate } from './notifications.js';

export interface TrayMenuItem {
  id: string;
  label: string;
  type?: 'normal' | 'separator';
  enabled?: boolean;
  click?: () => void;
}

export interface TrayActions {
  open(): void;
  checkRotations(): void;
  quit(): void;
}

type Key = Pick<Api.KeyMetadata, 'KeyId' | 'Aliases' | 'Description' | 'KeyState' | 'NextRotationDate' | 'DeletionDate'>;

/** The enabled key that rotates soonest, or null when none rotates automatically. */
export function nextRotation(keys: readonly Key[]): { key: Key; date: string } | null {
  let best: { key: Key; date: string } | null = null;
  for (const key of keys) {
    if (key.KeyState !== 'Enabled' || !key.NextRotationDate) continue;
    if (!best || Date.parse(key.NextRotationDate) < Date.parse(best.date)) best = { key, date: key.NextRotationDate };
  }
  return best;
}

/** "Next rotation: tax-returns on 12 Jan", or why there is none. */
export function nextRotationLine(keys: readonly Key[], now: Date): string {
  const next = nextRotation(keys);
  if (!next) return keys.length === 0 ? 'No keys yet' : 'No automatic rotation is on';
  const due = Date.parse(next.date) <= now.getTime();
  return due ? `Rotation due now: ${keyName(next.key)}` : `Next rotation: ${keyName(next.key)} on ${shortDate(next.date, now)}`;
}

/** `keys` null: not read yet. */
export function trayMenuModel(keys: readonly Key[] | null, now: Date, actions: TrayActions): TrayMenuItem[] {
  const deletions = (keys ?? [])
    .filter((k) => k.KeyState === 'PendingDeletion' && k.DeletionDate)
    .sort((a, b) => Date.parse(a.DeletionDate!) - Date.parse(b.DeletionDate!))
    .slice(0, 3)
    .map((k): TrayMenuItem => ({ id: `deletion:${k.KeyId}`, label: `“${keyName(k)}” will be deleted on ${shortDate(k.DeletionDate!, now)}`, enabled: false }));
  return [
    { id: 'next-rotation', label: keys ? nextRotationLine(keys, now) : 'Reading the vault…', enabled: false },
    ...deletions,
    { id: 'separator-1', label: '', type: 'separator' },
    { id: 'open', label: 'Open Key Vault', click: actions.open },
    { id: 'check-rotations', label: 'Rotate due keys now', click: actions.checkRotations },
    { id: 'separator-2', label: '', type: 'separator' },
    { id: 'quit', label: 'Quit Key Vault', click: actions.quit },
  ];
}

/** The part of Electron's Tray the app uses. */
export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface AppTray {
  /** Rebuilds the menu from the vault as it is now. */
  refresh(): Promise<void>;
  dispose(): void;
}

export function createAppTray(opts: {
  tray: TrayLike;
  /** Electron's Menu.buildFromTemplate. */
  buildMenu: (template: TrayMenuItem[]) => unknown;
  vault: { listKeyDetails(): Promise<{ Keys: Api.KeyMetadata[] }> };
  actions: TrayActions;
  now?: () => Date;
  log?: (message: string, err: unknown) => void;
}): AppTray {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? ((m: string, e: unknown) => console.error(`[tray] ${m}`, e));
  let disposed = false;
  opts.tray.on('click', () => opts.actions.open());
  const apply = (keys: readonly Key[] | null): void => {
    if (disposed) return;
    const at = now();
    opts.tray.setToolTip(keys ? `Key Vault — ${nextRotationLine(keys, at)}` : 'Key Vault');
    opts.tray.setContextMenu(opts.buildMenu(trayMenuModel(keys, at, opts.actions)));
  };
  apply(null);
  return {
    async refresh() {
      try {
        apply((await opts.vault.listKeyDetails()).Keys);
      } catch (err) {
        log('could not read the keys for the tray menu', err);
      }
    },
    dispose() {
      disposed = true;
      opts.tray.destroy();
    },
  };
}

/**
 * The tray's "Rotate due keys now": one scheduler check. Keys it rotates are notified as any
 * automatic rotation is; when none was due, the person is told so and when the next one is, so the
 * click never seems to do nothing.
 */
export async function rotateDueKeysNow(opts: {
  check: () => Promise<void>;
  events: { on(event: 'rotation', l: () => void): unknown; off(event: 'rotation', l: () => void): unknown };
  vault: { listKeyDetails(): Promise<{ Keys: Api.KeyMetadata[] }> };
  show: (notice: { id: string; title: string; body: string }) => void;
  now?: () => Date;
}): Promise<number> {
  let rotated = 0;
  const count = (): void => {
    rotated++;
  };
  opts.events.on('rotation', count);
  try {
    await opts.check();
  } finally {
    opts.events.off('rotation', count);
  }
  if (rotated === 0) {
    const { Keys } = await opts.vault.listKeyDetails();
    const at = (opts.now ?? (() => new Date()))();
    opts.show({ id: `nothing-due:${at.getTime()}`, title: 'No key is due for rotation', body: `${nextRotationLine(Keys, at)}.` });
  }
  return rotated;
}
