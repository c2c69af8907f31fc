/**
 * The audit log, newest first. By default only what changed something (reads behind a filter),
 * optionally for one key and one outcome. Export is done by main (its save dialog, its write).
 */
import { create } from 'zustand';
import type { AuditEntry } from '../../preload/contract';
import { vault } from '../bridge';
import { attempt, useUiStore } from './uiStore';

/** Enough to look back past a screenful of reads (screen loads call DescribeKey) to the changes. */
const AUDIT_LIMIT = 3000;

export type OutcomeFilter = '' | 'Success' | 'Failure';

interface ActivityState {
  events: AuditEntry[];
  keyFilter: string;
  outcomeFilter: OutcomeFilter;
  includeReads: boolean;
  loaded: boolean;
  exporting: boolean;
  load(): Promise<void>;
  setKeyFilter(keyId: string): Promise<void>;
  setOutcomeFilter(outcome: OutcomeFilter): void;
  setIncludeReads(include: boolean): void;
  exportAs(format: 'csv' | 'json'): Promise<void>;
}

export const useActivityStore = create<ActivityState>()((set, get) => ({
  events: [],
  keyFilter: '',
  outcomeFilter: '',
  includeReads: false,
  loaded: false,
  exporting: false,
  load: async () => {
    const keyId = get().keyFilter;
    const res = await attempt('Load activity', () => vault().listAuditEvents({ Limit: AUDIT_LIMIT, ...(keyId ? { KeyId: keyId } : {}) }));
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
  setOutcomeFilter: (outcomeFilter) => set({ outcomeFilter }),
  setIncludeReads: (includeReads) => set({ includeReads }),
  exportAs: async (format) => {
    const { keyFilter, outcomeFilter, includeReads } = get();
    set({ exporting: true });
    const res = await attempt('Export activity', () =>
      vault().exportActivity({
        Format: format,
        ...(keyFilter ? { KeyId: keyFilter } : {}),
        ...(outcomeFilter ? { Outcome: outcomeFilter } : {}),
        ...(includeReads ? { IncludeReads: true } : {}),
      }),
    );
    set({ exporting: false });
    if (res) useUiStore.getState().notify(`Saved ${res.Count} event${res.Count === 1 ? '' : 's'} to ${res.FileName}.`);
  },
}));
