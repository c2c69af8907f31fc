/** Rotate now, enable / disable, and schedule or cancel deletion. */
import { useId, useState } from 'react';
import type { KeyMetadata } from '../../preload/contract';
import { daysUntil, formatDateTime, keyLabel } from '../format';
import { useKeyDetailStore } from '../stores/keyDetailStore';

export function KeyLifecyclePanel({ keyMeta }: { keyMeta: KeyMetadata }) {
  const busy = useKeyDetailStore((s) => s.busy);
  const rotateNow = useKeyDetailStore((s) => s.rotateNow);
  const setEnabled = useKeyDetailStore((s) => s.setEnabled);
  const scheduleDeletion = useKeyDetailStore((s) => s.scheduleDeletion);
  const cancelDeletion = useKeyDetailStore((s) => s.cancelDeletion);
  const [days, setDays] = useState(30);
  const [confirming, setConfirming] = useState(false);
  const [confirmingRotate, setConfirmingRotate] = useState(false);
  const ids = useId();
  const state = keyMeta.KeyState;
  const anyBusy = busy !== undefined;
  const managed = keyMeta.KeyManager === 'VAULT';

  return (
    <div className="lifecycle">
      {confirmingRotate && state === 'Enabled' && (
        <div
          className="confirm-inline"
          role="group"
          aria-labelledby={`${ids}-rotate-q`}
          data-testid="rotate-confirm"
          // Escape answers "Not now" here rather than leaving the key.
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            e.preventDefault();
            setConfirmingRotate(false);
          }}
        >
          <p id={`${ids}-rotate-q`}>
            <strong>Rotate {keyLabel(keyMeta)} now?</strong> New data will use a new version of the key. Files and text encrypted before still open.
          </p>
          <div className="button-row">
            <button
              type="button"
              className="button button-primary"
              autoFocus
              disabled={anyBusy}
              onClick={() => {
                setConfirmingRotate(false);
                void rotateNow();
              }}
              data-testid="confirm-rotate"
            >
              Yes, rotate now
            </button>
            <button type="button" className="button" onClick={() => setConfirmingRotate(false)} data-testid="cancel-rotate">
              Not now
            </button>
          </div>
        </div>
      )}
      <div className="button-row">
        <button
          type="button"
          className="button button-primary"
          disabled={anyBusy || state !== 'Enabled' || confirmingRotate}
          onClick={() => setConfirmingRotate(true)}
          data-testid="rotate-now"
          title={state !== 'Enabled' ? 'Only an enabled key can be rotated.' : undefined}
        >
          {busy === 'Rotate now' ? 'Rotating…' : 'Rotate now…'}
        </button>
        {state === 'Enabled' && !managed && (
          <button type="button" className="button" disabled={anyBusy} onClick={() => void setEnabled(false)} data-testid="disable-key">
            {busy === 'Disable key' ? 'Disabling…' : 'Disable key'}
          </button>
        )}
        {state === 'Disabled' && (
          <button type="button" className="button" disabled={anyBusy} onClick={() => void setEnabled(true)} data-testid="enable-key">
            {busy === 'Enable key' ? 'Enabling…' : 'Enable key'}
          </button>
        )}
      </div>

      {managed ? (
        <p className="muted">The default key is managed by Key Vault; it cannot be disabled or deleted.</p>
      ) : state === 'PendingDeletion' ? (
        <div className="deletion deletion-pending" data-testid="deletion-pending">
          <p>
            This key will be deleted on <strong>{formatDateTime(keyMeta.DeletionDate)}</strong>
            {daysUntil(keyMeta.DeletionDate) !== undefined && ` (in ${daysUntil(keyMeta.DeletionDate)} days)`}. Until then nothing can be encrypted or decrypted
            with it.
          </p>
          <button type="button" className="button" disabled={anyBusy} onClick={() => void cancelDeletion()} data-testid="cancel-deletion">
            Cancel deletion
          </button>
        </div>
      ) : (
        <div
          className="deletion"
          onKeyDown={(e) => {
            if (e.key !== 'Escape' || !confirming) return;
            e.preventDefault();
            setConfirming(false);
          }}
        >
          <label className="field field-compact" htmlFor={`${ids}-days`}>
            <span>Delete after a waiting period of</span>
          </label>
          <input
            id={`${ids}-days`}
            type="number"
            min={7}
            max={30}
            value={days}
            onChange={(e) => setDays(Math.max(7, Math.min(30, Number(e.target.value) || 30)))}
            aria-describedby={`${ids}-days-help`}
            data-testid="deletion-days"
          />
          <span id={`${ids}-days-help`}> days (7–30)</span>
          {confirming ? (
            <>
              <button
                type="button"
                className="button button-danger"
                disabled={anyBusy}
                onClick={() => {
                  setConfirming(false);
                  void scheduleDeletion(days);
                }}
                data-testid="confirm-deletion"
              >
                Yes, schedule deletion
              </button>
              <button type="button" className="button" autoFocus onClick={() => setConfirming(false)} data-testid="keep-key">
                Keep the key
              </button>
            </>
          ) : (
            <button
              type="button"
              className="button button-danger-outline"
              disabled={anyBusy}
              onClick={() => setConfirming(true)}
              data-testid="schedule-deletion"
            >
              Schedule deletion…
            </button>
          )}
        </div>
      )}
    </div>
  );
}
