/** The audit log, newest first, optionally filtered to one key. */
import { useEffect, useMemo } from 'react';
import { formatDateTime, keyLabel } from '../format';
import { useActivityStore } from '../stores/activityStore';
import { useKeysStore } from '../stores/keysStore';

export function ActivityScreen() {
  const { events, keyFilter, loaded, load, setKeyFilter } = useActivityStore();
  const keys = useKeysStore((s) => s.keys);
  const labels = useMemo(() => new Map(keys.map((k) => [k.KeyId, keyLabel(k)])), [keys]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="screen" aria-labelledby="activity-title" data-testid="screen-activity">
      <header className="screen-header">
        <h1 id="activity-title">Activity</h1>
        <div className="screen-tools">
          <label className="field field-compact">
            <span>Key</span>
            <select value={keyFilter} onChange={(e) => void setKeyFilter(e.target.value)} data-testid="activity-key-filter">
              <option value="">All keys</option>
              {keys.map((k) => (
                <option key={k.KeyId} value={k.KeyId}>{keyLabel(k)}</option>
              ))}
            </select>
          </label>
          <button type="button" className="button" onClick={() => void load()}>Refresh</button>
        </div>
      </header>
      {loaded && events.length === 0 ? (
        <p className="muted empty">No activity recorded{keyFilter ? ' for this key' : ''}.</p>
      ) : (
        <div className="panel panel-flush">
          <table className="table" data-testid="activity-table">
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Operation</th>
                <th scope="col">Key</th>
                <th scope="col">Outcome</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e, i) => (
                <tr key={`${e.Time}-${i}`} data-testid="activity-row" data-outcome={e.Outcome}>
                  <td className="nowrap">{formatDateTime(e.Time)}</td>
                  <td>{e.Operation}{e.RotationType ? <span className="muted"> ({e.RotationType.toLowerCase().replace('_', ' ')})</span> : null}</td>
                  <td className="mono" title={e.KeyId}>{e.KeyId ? labels.get(e.KeyId) ?? e.KeyId : '—'}{e.KeyVersionId ? <span className="muted"> · {e.KeyVersionId.slice(0, 8)}</span> : null}</td>
                  <td>
                    <span className={e.Outcome === 'Success' ? 'badge badge-ok' : 'badge badge-fail'}>{e.Outcome}</span>
                    {e.ErrorType && <code className="error-name"> {e.ErrorType}</code>}
                  </td>
                  <td>{e.Detail ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
