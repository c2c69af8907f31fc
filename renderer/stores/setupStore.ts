/**
 * What the first run needs to know: where the vault lives, whether recovery is set up, whether a
 * backup was ever saved, and the recovery key while it is shown (once, until the person closes it).
 */
import { create } from 'zustand';
import type { AppRecoveryKeyResponse, RecoveryStatus, VaultInfo } from '../../preload/contract';
import { vault } from '../bridge';
import { attempt, useUiStore } from './uiStore';

interface SetupState {
  info: VaultInfo | undefined;
  recovery: RecoveryStatus | undefined;
  backupSaved: boolean;
  /** The recovery key just made: shown once, forgotten when the panel closes. */
  revealed: AppRecoveryKeyResponse | undefined;
  busy: boolean;
  load(): Promise<void>;
  createRecoveryKey(): Promise<void>;
  saveSheet(): Promise<void>;
  closeRevealed(): Promise<void>;
}

/** Enough of the log to find a backup export in an ordinary vault. */
const AUDIT_LOOKBACK = 1000;

export function recoveryReady(status: RecoveryStatus | undefined): boolean {
  return status?.RecoveryKeySet === true || status?.RecoveryPassphraseSet === true;
}

export const useSetupStore = create<SetupState>()((set, get) => ({
  info: undefined,
  recovery: undefined,
  backupSaved: false,
  revealed: undefined,
  busy: false,
  load: async () => {
    const [info, recovery, audit] = await Promise.all([
      attempt('Read the vault information', () => vault().getVaultInfo()),
      attempt('Read the recovery status', () => vault().getRecoveryStatus()),
      attempt('Read the activity log', () => vault().listAuditEvents({ Limit: AUDIT_LOOKBACK })),
    ]);
    set({
      ...(info ? { info } : {}),
      ...(recovery ? { recovery } : {}),
      ...(audit ? { backupSaved: audit.Events.some((e) => e.Operation === 'ExportBackup' && e.Outcome === 'Success') } : {}),
    });
  },
  createRecoveryKey: async () => {
    set({ busy: true });
    const replace = get().recovery?.RecoveryKeySet === true;
    const made = await attempt(replace ? 'Replace the recovery key' : 'Create the recovery key', () =>
      vault().createRecoveryKey(replace ? { Replace: true } : {}),
    );
    set({ busy: false, ...(made ? { revealed: made } : {}) });
    if (made) await get().load();
  },
  saveSheet: async () => {
    const saved = await attempt('Save the recovery sheet', () => vault().saveRecoverySheet());
    if (saved) useUiStore.getState().notify(`Recovery sheet saved as ${saved.FileName}.`);
  },
  closeRevealed: async () => {
    set({ revealed: undefined });
    await attempt('Forget the recovery sheet', () => vault().forgetRecoverySheet());
  },
}));
