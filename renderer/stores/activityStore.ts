/** The audit log, newest first, optionally for one key. */
import { create } from 'zustand';
import type { AuditEntry } from '../../preload/contract';
import { vault } from '../bridge';
import { attempt } from './uiStore';

const AUDIT_LIMIT = 500;

interface ActivityState {
  events: AuditEntry[];
  keyFilter: string;
  loaded: boolean;
  load(): Promise<void>;
  setKeyFilter(keyId: string): Promise<void>;
}

export const useActivityStore = create<ActivityState>()((set, get) => ({
  events: [],
  keyFilter: '',
  loaded: false,
  load: async () => {
    const keyId = get().keyFilter;
    const res = await attempt('Load activity', () =>
      vault().listAuditEvents({ Limit: AUDIT_LIMIT, ...(keyId ? { KeyId: keyId } : {}) }),
    );
    if (get().keyFilter !== keyId) return;
    if (res) {
      const events = [...res.Events].sort((a, b) => Date.parse(b.Time) - Date.parse(a.Time));
      set({ events, loaded: true });
    } else {
      set({ loaded: true });
    }
  },
  setKeyFilter: async (keyFilter) => {
    set({ keyFilter });
    await get().load();
  },
}));
