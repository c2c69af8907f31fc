/**
 * The key's versions, newest first (issue 12): when each was made, its state, the number of known
 * files on it, the actions its state allows (disable, enable, schedule or cancel destruction), and
 * "Bring N files up to date" with its progress. Presentational: the screen passes data and
 * callbacks. Scheduling first asks here for the waiting period (and, with files still on the
 * version, for an explicit "anyway"); main then asks the person natively.
 */
import { useEffect, useRef, useState } from 'react';
import type { KeyVersionEntry } from '../../preload/contract';
import { formatDate } from '../format';
import { bringUpToDateText, filesText, staleCount, versionStateText } from '../retireWords';
import { CopyButton } from './CopyButton';
import { ProgressBar } from './ProgressBar';

export type VersionAction = 'disable' | 'enable' | 'schedule' | 'cancel';

export interface VersionRetirePanelProps {
  versions: KeyVersionEntry[];
  /** Known files per version id (from list-files); absent while counting. */
  fileCounts: Readonly<Record<string, number>>;
  busy: boolean;
  /** Files done and to do while "Bring up to date" runs. */
  progress?: { done: number; total: number; cancelling?: boolean };
  /** The last run's result, in a sentence. */
  result?: string;
  onAction(versionId: string, action: VersionAction, days?: number, force?: boolean): void;
  onBringUpToDate(): void;
  onCancelRun?: () => void;
}

function actionsFor(v: KeyVersionEntry): VersionAction[] {
  if (v.IsPrimary) return [];
  switch (v.KeyVersionState) {
    case 'Enabled':
      return ['disable', 'schedule'];
    case 'Disabled':
      return ['enable', 'schedule'];
    case 'PendingDestruction':
      return ['cancel'];
    case 'Destroyed':
      return [];
  }
}

const ACTION_TEXT: Record<VersionAction, string> = {
  disable: 'Disable',
  enable: 'Enable',
  schedule: 'Destroy…',
  cancel: 'Cancel destruction',
};

const ACTION_LABEL: Record<VersionAction, (n: number) => string> = {
  disable: (n) => `Disable version ${n}`,
  enable: (n) => `Enable version ${n}`,
  schedule: (n) => `Destroy version ${n}…`,
  cancel: (n) => `Cancel the destruction of version ${n}`,
};

const HOW_TEXT: Record<KeyVersionEntry['RotationType'], string> = {
  INITIAL: 'Initial',
  AUTOMATIC: 'Automatic',
  ON_DEMAND: 'On demand',
  IMPORT: 'Imported',
};

const STATE_CLASS: Record<KeyVersionEntry['KeyVersionState'], string> = {
  Enabled: 'badge-ok',
  Disabled: 'badge-state-Disabled',
  PendingDestruction: 'badge-fail',
  Destroyed: 'badge-state-Disabled',
};

export function VersionRetirePanel({ versions, fileCounts, busy, progress, result, onAction, onBringUpToDate, onCancelRun }: VersionRetirePanelProps) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const [days, setDays] = useState(30);
  const [force, setForce] = useState(false);
  const daysInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (confirming !== null) daysInput.current?.focus();
  }, [confirming]);

  const rows = [...versions].sort((a, b) => Date.parse(b.CreationDate) - Date.parse(a.CreationDate));
  if (rows.length === 0) return <p className="muted">This key has no versions yet (its material has not been imported).</p>;
  const number = (v: KeyVersionEntry) => rows.length - rows.indexOf(v);
  const stale = staleCount(rows, fileCounts);
  const target = rows.find((v) => v.KeyVersionId === confirming);
  const targetFiles = target ? (fileCounts[target.KeyVersionId] ?? 0) : 0;
  const daysOk = Number.isInteger(days) && days >= 7 && days <= 30;
  const close = () => {
    setConfirming(null);
    setForce(false);
  };

  return (
    <div className="retire" data-testid="version-retire-panel">
      <div className="table-scroll">
        <table className="table" data-testid="versions-table">
          <caption className="visually-hidden">Key versions, their state and the files on them</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Made</th>
              <th scope="col">State</th>
              <th scope="col">Known files</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((v) => (
              <tr
                key={v.KeyVersionId}
                data-testid="version-row"
                data-primary={v.IsPrimary ? 'true' : 'false'}
                data-version-id={v.KeyVersionId}
                data-state={v.KeyVersionState}
                className={v.IsPrimary ? 'row-primary' : undefined}
              >
                <td>
                  {number(v)} {v.IsPrimary && <span className="badge badge-primary">Current</span>}
                </td>
                <td>
                  {formatDate(v.CreationDate)} <span className="muted nowrap">· {HOW_TEXT[v.RotationType] ?? v.RotationType}</span>
                </td>
                <td>
                  <span className={`badge ${STATE_CLASS[v.KeyVersionState]}`} data-testid="version-state">
                    {versionStateText(v)}
                  </span>
                </td>
                <td data-testid="version-files">{fileCounts[v.KeyVersionId] ?? 0}</td>
                <td className="cell-end retire-actions">
                  {actionsFor(v).map((a) => (
                    <button
                      key={a}
                      type="button"
                      className={`button button-small${a === 'schedule' ? ' button-danger-outline' : ''}`}
                      disabled={busy}
                      aria-label={ACTION_LABEL[a](number(v))}
                      data-testid={`version-${a}`}
                      onClick={() => (a === 'schedule' ? setConfirming(v.KeyVersionId) : onAction(v.KeyVersionId, a))}
                    >
                      {ACTION_TEXT[a]}
                    </button>
                  ))}
                  <CopyButton value={v.KeyVersionId} what={`the id of version ${number(v)}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {target && (
        <div role="group" aria-labelledby="destroy-title" className="retire-confirm" data-testid="destroy-confirm">
          <h3 id="destroy-title">
            Destroy version {number(target)} (made {formatDate(target.CreationDate)})?
          </h3>
          <p>
            After the waiting period its key material is erased for good: nothing encrypted under it can be decrypted again, by anyone. You can cancel until
            then.
          </p>
          <p>
            <strong>Small ciphertexts from “Encrypt text” and data keys are not tracked</strong>, so the vault cannot count them: re-encrypt them first.
          </p>
          {targetFiles > 0 && (
            <p className="retire-warning" data-testid="destroy-files-warning">
              {filesText(targetFiles)} the vault knows of {targetFiles === 1 ? 'is' : 'are'} still on this version. Bring {targetFiles === 1 ? 'it' : 'them'} up
              to date first, or they will no longer open.
            </p>
          )}
          <div className="form form-row">
            <label className="field field-compact">
              <span>Waiting period (7 to 30 days)</span>
              <input ref={daysInput} type="number" min={7} max={30} value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="destroy-days" />
            </label>
            {targetFiles > 0 && (
              <label className="inline">
                <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="destroy-force" />
                Destroy anyway: those {filesText(targetFiles)} will no longer open
              </label>
            )}
          </div>
          <div className="actions">
            <button
              type="button"
              className="button button-danger"
              disabled={busy || !daysOk || (targetFiles > 0 && !force)}
              data-testid="destroy-continue"
              onClick={() => {
                onAction(target.KeyVersionId, 'schedule', days, force);
                close();
              }}
            >
              Schedule destruction…
            </button>
            <button type="button" className="button" onClick={close}>
              Keep it
            </button>
          </div>
        </div>
      )}

      <div className="retire-bring">
        {stale > 0 || progress ? (
          <button
            type="button"
            className="button button-primary"
            disabled={busy || progress !== undefined}
            onClick={onBringUpToDate}
            data-testid="bring-up-to-date"
          >
            {bringUpToDateText(stale)}
          </button>
        ) : (
          !result && (
            <p className="muted" data-testid="bring-none">
              {bringUpToDateText(0)}.
            </p>
          )
        )}
        {progress && (
          <div className="retire-progress" data-testid="bring-progress">
            <ProgressBar done={progress.done} total={progress.total} label="Bringing files up to date" />
            <span role="status">
              {progress.total > 0 ? `${progress.done.toLocaleString('en-GB')} of ${filesText(progress.total)}` : 'Starting…'}
              {progress.cancelling ? ' · stopping after the files in hand' : ''}
            </span>
            {onCancelRun && (
              <button type="button" className="button button-small" onClick={onCancelRun} disabled={progress.cancelling} data-testid="bring-cancel">
                Stop
              </button>
            )}
          </div>
        )}
        {!progress && result && (
          <p role="status" className="retire-result" data-testid="bring-result">
            {result}
          </p>
        )}
        {!progress && !result && stale > 0 && <p className="muted">Rewraps each file in place under the current version (only its header changes).</p>}
      </div>
    </div>
  );
}
