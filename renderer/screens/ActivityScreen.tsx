/**
 * The audit log, newest first: what changed by default (reads behind a filter), each row naming
 * its key by alias and its file by name; filters by key and outcome; export through main.
 */
import { useEffect, useMemo } from 'react';
import { filterActivity } from '../../main/core/activityFilter';
import { activityWords, failureWords } from '../activityWords';
import { formatDateTime, keyLabel } from '../format';
import { useActivityStore, type OutcomeFilter } from '../stores/activityStore';
import { useKeysStore } from '../stores/keysStore';

export function ActivityScreen() {
  const { events, keyFilter, outcomeFilter, includeReads, loaded, exporting, load, setKeyFilter, setOutcomeFilter, setIncludeReads, exportAs } =
    useActivityStore();
  const keys = useKeysStore((s) => s.keys);
  const labels = useMemo(() => new Map(keys.map((k) => [k.KeyId, keyLabel(k)])), [keys]);
  const shown = useMemo(
    () => filterActivity(events, { ...(outcomeFilter ? { Outcome: outcomeFilter } : {}), IncludeReads: includeReads }),
    [events, outcomeFilter, includeReads],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="screen" aria-labelledby="activity-title" data-testid="screen-activity">
      <header className="screen-header">
        <h1 id="activity-title">Activity</h1>
        <div className="screen-tools">
          <button type="button" className="button" onClick={() => void load()}>
            Refresh
          </button>
        </div>
      </header>
      <div className="activity-tools" role="group" aria-label="Filter and export">
        <label className="field field-compact">
          <span>Key</span>
          <select value={keyFilter} onChange={(e) => void setKeyFilter(e.target.value)} data-testid="activity-key-filter">
            <option value="">All keys</option>
            {keys.map((k) => (
              <option key={k.KeyId} value={k.KeyId}>
                {keyLabel(k)}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-compact">
          <span>Outcome</span>
          <select value={outcomeFilter} onChange={(e) => setOutcomeFilter(e.target.value as OutcomeFilter)} data-testid="activity-outcome-filter">
            <option value="">Any outcome</option>
            <option value="Success">Succeeded</option>
            <option value="Failure">Failed</option>
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" checked={includeReads} onChange={(e) => setIncludeReads(e.target.checked)} data-testid="activity-include-reads" />
          Also show reads (keys looked up or listed)
        </label>
        <div className="button-row">
          <button type="button" className="button" disabled={exporting} onClick={() => void exportAs('csv')} data-testid="activity-export-csv">
            Export CSV…
          </button>
          <button type="button" className="button" disabled={exporting} onClick={() => void exportAs('json')} data-testid="activity-export-json">
            Export JSON…
          </button>
        </div>
      </div>
      {loaded && shown.length === 0 ? (
        <p className="muted empty" data-testid="activity-empty">
          Nothing recorded{keyFilter ? ' for this key' : ''}
          {outcomeFilter === 'Failure' ? ' that failed' : outcomeFilter === 'Success' ? ' that succeeded' : ''}
          {!includeReads && events.length > 0 ? ' (reads are hidden)' : ''}.
        </p>
      ) : (
        <div className="panel panel-flush activity-scroll" tabIndex={0} role="region" aria-label="Activity, newest first">
          <table className="table" data-testid="activity-table">
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">What happened</th>
                <th scope="col">Outcome</th>
                <th scope="col">Key</th>
                <th scope="col">File or detail</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e, i) => (
                <tr key={`${e.Time}-${i}`} data-testid="activity-row" data-operation={e.Operation} data-outcome={e.Outcome}>
                  <td className="nowrap">{formatDateTime(e.Time)}</td>
                  <td>{activityWords(e)}</td>
                  <td className="nowrap">
                    <span className={e.Outcome === 'Success' ? 'badge badge-ok' : 'badge badge-fail'} title={e.ErrorType}>
                      {e.Outcome === 'Success' ? 'Done' : failureWords(e.ErrorType)}
                    </span>
                  </td>
                  <td className="nowrap" title={e.KeyId} data-testid="activity-key">
                    {e.KeyId ? (labels.get(e.KeyId) ?? <span className="mono">{e.KeyId.slice(0, 8)}…</span>) : <span className="muted">—</span>}
                  </td>
                  <td className="activity-detail" data-testid="activity-detail">
                    {e.Detail ?? ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
