/**
 * What maintenance thinks of the clock (issue 13 item 6). Checked at start, after changes, and every
 * few minutes (a clock can jump while the window is open); confirming asks main, which shows the
 * native question, so the page can only ask for the question, never answer it.
 */
import { create } from 'zustand';
import type { ClockCheck } from '../../preload/contract';
import { vault } from '../bridge';
import { attempt, useUiStore } from './uiStore';

interface ClockState {
  check: ClockCheck | undefined;
  busy: boolean;
  load(): Promise<void>;
  confirm(): Promise<void>;
}

export const CLOCK_RECHECK_MS = 5 * 60_000;

/** Whether the window should ask for the date: the clock is implausible, or deletions wait for it. */
export function clockNeedsConfirmation(check: ClockCheck | undefined): boolean {
  return check !== undefined && (check.ClockProblem !== undefined || (check.DeletionsAwaitingClockConfirmation?.length ?? 0) > 0);
}

export const useClockStore = create<ClockState>()((set) => ({
  check: undefined,
  busy: false,
  load: async () => {
    const check = await attempt('Check the clock', () => vault().checkClock());
    if (check) set({ check });
  },
  confirm: async () => {
    set({ busy: true });
    try {
      const check = await attempt('Confirm the date', () => vault().confirmClock());
      if (!check) return;
      set({ check });
      const deleted = check.Deleted?.length ?? 0;
      useUiStore
        .getState()
        .notify(
          `Date confirmed.${deleted > 0 ? ` ${deleted} key${deleted === 1 ? '' : 's'} past their deletion date ${deleted === 1 ? 'was' : 'were'} deleted.` : ''}`,
        );
    } finally {
      set({ busy: false });
    }
  },
}));
