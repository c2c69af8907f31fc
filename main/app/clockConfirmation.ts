/**
 * Issue 13 item 6 in the app: when the clock is far beyond anything the vault has seen, key
 * deletions (and version destruction) wait. The window shows a notice; its button calls
 * confirmClock, which asks the person in main's native confirmation whether the date is right and
 * only then runs maintenance with the clock confirmed. A declined question changes nothing.
 */
import type { ClockCheck } from '../../preload/contract.js';
import { CancelledException } from '../core/errors.js';
import type { MaintenanceResult } from '../core/serviceTypes.js';
import type { ConfirmRequest, DialogPort } from './nativeDialogs.js';
import type { VaultServiceLike } from './serviceShape.js';

/** The native question: it names the date the clock gives and what confirming it will do. */
export function confirmClockDate(now: Date, waitingDeletions: number): ConfirmRequest {
  const day = now.toISOString().slice(0, 10);
  const deletions =
    waitingDeletions === 0
      ? 'No key is waiting to be deleted now; confirming lets scheduled deletions happen on time again.'
      : `${waitingDeletions} key${waitingDeletions === 1 ? ' is' : 's are'} waiting to be deleted: confirming deletes ${waitingDeletions === 1 ? 'it' : 'them'} now, for good.`;
  return {
    title: 'Confirm the date',
    message: `Is today ${day}?`,
    detail:
      `The clock says ${now.toISOString()}, more than a year after the latest date this vault has seen. ` +
      `${deletions} If the date is wrong, cancel and correct the computer's clock instead.`,
    confirmLabel: 'Confirm the date',
  };
}

function checkOf(now: Date, result: MaintenanceResult | undefined): ClockCheck {
  return {
    Now: now.toISOString(),
    ...(result?.ClockProblem !== undefined ? { ClockProblem: result.ClockProblem } : {}),
    ...(result?.DeletionsAwaitingClockConfirmation ? { DeletionsAwaitingClockConfirmation: result.DeletionsAwaitingClockConfirmation } : {}),
  };
}

export function createClockOperations(service: VaultServiceLike, opts: { dialogs: DialogPort }) {
  const now = (): Date => service.clock?.now() ?? new Date();
  const maintain = (confirm: boolean): Promise<MaintenanceResult | undefined> =>
    service.runMaintenance ? service.runMaintenance(confirm ? { ConfirmClock: true } : {}) : Promise.resolve(undefined);

  return {
    async checkClock(): Promise<ClockCheck> {
      return checkOf(now(), await maintain(false));
    },

    async confirmClock(): Promise<ClockCheck> {
      const before = checkOf(now(), await maintain(false));
      // A plausible clock needs no confirmation: the person is not asked anything.
      if (before.ClockProblem === undefined && before.DeletionsAwaitingClockConfirmation === undefined) return before;
      const asked = new Date(before.Now);
      const waiting = before.DeletionsAwaitingClockConfirmation?.length ?? 0;
      if (!(await opts.dialogs.confirm(confirmClockDate(asked, waiting)))) {
        throw new CancelledException('The date was not confirmed; key deletions keep waiting and nothing was changed.');
      }
      const result = await maintain(true);
      return { ...checkOf(now(), result), Deleted: result?.Deleted ?? [] };
    },
  };
}
