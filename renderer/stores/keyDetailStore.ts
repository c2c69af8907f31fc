/** The open key: its metadata and versions, and the operations the detail screen offers. */
import { create } from 'zustand';
import type { KeyMetadata, KeyVersionEntry } from '../../preload/contract';
import { vault } from '../bridge';
import { keyLabel } from '../format';
import { useKeysStore } from './keysStore';
import { attempt, useUiStore } from './uiStore';

interface KeyDetailState {
  keyId: string | undefined;
  meta: KeyMetadata | undefined;
  versions: KeyVersionEntry[];
  loading: boolean;
  /** Name of the operation in flight, so its button can show it and others wait. */
  busy: string | undefined;
  load(keyId: string): Promise<void>;
  refresh(): Promise<void>;
  rotateNow(): Promise<void>;
  setEnabled(enabled: boolean): Promise<void>;
  updatePolicy(enabled: boolean, interval: string): Promise<boolean>;
  scheduleDeletion(days: number): Promise<void>;
  cancelDeletion(): Promise<void>;
  importMaterial(materialBase64: string): Promise<boolean>;
}

export const useKeyDetailStore = create<KeyDetailState>()((set, get) => {
  /** Runs one operation on the open key, then reloads it; returns whether it succeeded. */
  async function operate(action: string, run: (keyId: string) => Promise<unknown>): Promise<boolean> {
    const keyId = get().keyId;
    if (!keyId || get().busy) return false;
    set({ busy: action });
    let ok = false;
    try {
      await run(keyId);
      ok = true;
    } catch (err) {
      // Errors name the key by its alias, not its id.
      const meta = get().meta;
      useUiStore.getState().reportError(meta ? `${action} (${keyLabel(meta)})` : action, err);
    } finally {
      set({ busy: undefined });
    }
    await get().refresh();
    return ok;
  }

  return {
    keyId: undefined,
    meta: undefined,
    versions: [],
    loading: false,
    busy: undefined,
    load: async (keyId) => {
      if (get().keyId !== keyId) set({ keyId, meta: undefined, versions: [] });
      await get().refresh();
    },
    refresh: async () => {
      const keyId = get().keyId;
      if (!keyId) return;
      set({ loading: true });
      const [described, versions] = await Promise.all([
        attempt('Load key', () => vault().describeKey({ KeyId: keyId })),
        attempt('Load key versions', () => vault().listKeyVersions({ KeyId: keyId })),
      ]);
      if (get().keyId !== keyId) return; // another key was opened meanwhile
      set({
        loading: false,
        ...(described ? { meta: described.KeyMetadata } : {}),
        ...(versions ? { versions: versions.KeyVersions } : {}),
      });
      if (described) useKeysStore.getState().upsert(described.KeyMetadata);
    },
    rotateNow: async () => {
      // The service announces the rotation (a `rotation` event), which shows the notice.
      await operate('Rotate now', (KeyId) => vault().rotateKeyOnDemand({ KeyId }));
    },
    setEnabled: async (enabled) => {
      await operate(enabled ? 'Enable key' : 'Disable key', (KeyId) => (enabled ? vault().enableKey({ KeyId }) : vault().disableKey({ KeyId })));
    },
    updatePolicy: (enabled, interval) =>
      operate('Update rotation policy', (KeyId) =>
        vault().updateRotationPolicy({
          KeyId,
          EnableAutomaticRotation: enabled,
          ...(enabled ? { RotationInterval: interval.trim() } : {}),
        }),
      ),
    scheduleDeletion: async (days) => {
      await operate('Schedule deletion', (KeyId) => vault().scheduleKeyDeletion({ KeyId, PendingWindowInDays: days }));
    },
    cancelDeletion: async () => {
      await operate('Cancel deletion', (KeyId) => vault().cancelKeyDeletion({ KeyId }));
    },
    importMaterial: (KeyMaterial) => operate('Import key material', (KeyId) => vault().importKeyMaterial({ KeyId, KeyMaterial })),
  };
});
