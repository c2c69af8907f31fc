/** Shown on every screen while the clock is far past anything the vault has seen: deletions wait for the date. */
import { formatDateTime } from '../format';
import { clockNeedsConfirmation, useClockStore } from '../stores/clockStore';

export function ClockNotice() {
  const check = useClockStore((s) => s.check);
  const busy = useClockStore((s) => s.busy);
  const confirm = useClockStore((s) => s.confirm);
  if (!check || !clockNeedsConfirmation(check)) return null;
  const waiting = check.DeletionsAwaitingClockConfirmation?.length ?? 0;
  return (
    <div className="recovery-warning clock-notice" role="region" aria-label="Clock notice" data-testid="clock-notice">
      <span>
        <strong>The clock says {formatDateTime(check.Now)},</strong> more than a year past the latest date this vault has seen.{' '}
        {waiting > 0
          ? `${waiting} key${waiting === 1 ? '' : 's'} past ${waiting === 1 ? 'its' : 'their'} deletion date ${waiting === 1 ? 'waits' : 'wait'} until you confirm the date.`
          : 'Key deletions wait until you confirm the date.'}{' '}
        If the date is wrong, correct the computer's clock instead.
      </span>
      <button type="button" className="button button-small" onClick={() => void confirm()} disabled={busy} data-testid="clock-confirm-action">
        Confirm the date
      </button>
    </div>
  );
}
