/**
 * Retiring key versions (issue 12): each version with its state and the number of known files on
 * it, the actions its state allows, and "Bring N files up to date". Presentational: the screen
 * passes the data and the callbacks (wiring: see the retire branch's report).
 */
import { useState } from 'react';
import type { KeyVersionEntry } from '../../preload/contract';
import { formatDateTime } from '../format';

export type VersionAction = 'disable' | 'enable' | 'schedule' | 'cancel';

export interface VersionRetirePanelProps {
  versions: KeyVersionEntry[];
  /** Known files per version id (from list-files). */
  fileCounts: Readonly<Record<string, number>>;
  busy: boolean;
  /** Files done and to do while "Bring up to date" runs. */
  progress?: { done: number; total: number };
  onAction(versionId: string, action: VersionAction, days?: number): void;
  onBringUpToDate(): void;
}

type KeyVersionState = KeyVersionEntry['KeyVersionState'];

const STATE_TEXT: Record<KeyVersionState, string> = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDestruction: 'Pending destruction',
  Destroyed: 'Destroyed',
};

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
  schedule: 'Schedule destruction…',
  cancel: 'Cancel destruction',
};

export function VersionRetirePanel({ versions, fileCounts, busy, progress, onAction, onBringUpToDate }: VersionRetirePanelProps) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const [days, setDays] = useState(30);
  const rows = [...versions].sort((a, b) => Date.parse(b.CreationDate) - Date.parse(a.CreationDate));
  const stale = rows.filter((v) => !v.IsPrimary).reduce((n, v) => n + (fileCounts[v.KeyVersionId] ?? 0), 0);
  return (
    <section aria-labelledby="retire-heading" data-testid="version-retire-panel">
      <h3 id="retire-heading">Versions and their files</h3>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Created</th>
            <th scope="col">State</th>
            <th scope="col">Known files</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((v) => (
            <tr key={v.KeyVersionId} data-testid="retire-row" data-state={v.KeyVersionState}>
              <td>
                <code className="mono">{v.KeyVersionId}</code> {v.IsPrimary && <span className="badge badge-primary">Primary</span>}
              </td>
              <td>{formatDateTime(v.CreationDate)}</td>
              <td>
                {STATE_TEXT[v.KeyVersionState]}
                {v.DestructionDate && <> on {formatDateTime(v.DestructionDate)}</>}
                {v.DestroyedDate && <> on {formatDateTime(v.DestroyedDate)}</>}
              </td>
              <td>{fileCounts[v.KeyVersionId] ?? 0}</td>
              <td>
                {actionsFor(v).map((a) => (
                  <button key={a} type="button" disabled={busy} onClick={() => (a === 'schedule' ? setConfirming(v.KeyVersionId) : onAction(v.KeyVersionId, a))}>
                    {ACTION_TEXT[a]}
                  </button>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {confirming !== null && (
        <div role="alertdialog" aria-labelledby="destroy-title" className="dialog" data-testid="destroy-confirm">
          <h4 id="destroy-title">Destroy this version after a waiting period?</h4>
          <p>
            Once destroyed, nothing encrypted under it can be decrypted again, by anyone. Files the vault knows about
            are counted above; <strong>small ciphertexts from Encrypt (text, data keys) are not tracked</strong>: re-encrypt
            them first.
          </p>
          <label className="inline">
            Waiting period (days, 7 to 30){' '}
            <input type="number" min={7} max={30} value={days} onChange={(e) => setDays(Number(e.target.value))} />
          </label>
          <button
            type="button"
            disabled={busy || !Number.isInteger(days) || days < 7 || days > 30}
            onClick={() => {
              onAction(confirming, 'schedule', days);
              setConfirming(null);
            }}
          >
            Schedule destruction
          </button>
          <button type="button" onClick={() => setConfirming(null)}>
            Keep it
          </button>
        </div>
      )}
      <p>
        <button type="button" disabled={busy || stale === 0} onClick={onBringUpToDate} data-testid="bring-up-to-date">
          Bring {stale} file{stale === 1 ? '' : 's'} up to date
        </button>
        {progress && (
          <span role="status">
            {' '}
            {progress.done} of {progress.total} files
          </span>
        )}
      </p>
    </section>
  );
}
