/**
 * The Files screen's inventory view (issue 12): the age files the vault knows, with the key
 * version each uses and whether it is still where it was; filters by key, stale only, missing;
 * "Scan a folder". Presentational: the screen passes the page and the callbacks.
 */
import type { InventoryFileEntry } from '../../preload/contract';
import { formatDateTime } from '../format';

export interface InventoryFilters {
  keyId?: string;
  staleOnly: boolean;
  missingOnly: boolean;
}

export interface FileInventoryTableProps {
  files: InventoryFileEntry[];
  filters: InventoryFilters;
  keyIds: string[];
  busy: boolean;
  onFilters(next: InventoryFilters): void;
  onScanFolder(): void;
  onMore?: () => void;
}

export function FileInventoryTable({ files, filters, keyIds, busy, onFilters, onScanFolder, onMore }: FileInventoryTableProps) {
  const shown = filters.missingOnly ? files.filter((f) => f.Status !== 'Present') : files;
  return (
    <section aria-labelledby="inventory-heading" data-testid="file-inventory">
      <h3 id="inventory-heading">Known files</h3>
      <div className="form">
        <label className="inline">
          Key{' '}
          <select value={filters.keyId ?? ''} onChange={(e) => onFilters({ ...filters, keyId: e.target.value || undefined })}>
            <option value="">All keys</option>
            {keyIds.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" checked={filters.staleOnly} onChange={(e) => onFilters({ ...filters, staleOnly: e.target.checked })} /> Not on the current version
        </label>
        <label className="inline">
          <input type="checkbox" checked={filters.missingOnly} onChange={(e) => onFilters({ ...filters, missingOnly: e.target.checked })} /> Missing or changed
        </label>
        <button type="button" disabled={busy} onClick={onScanFolder}>
          Scan a folder…
        </button>
      </div>
      {shown.length === 0 ? (
        <p className="muted">No files match. Files appear here when you encrypt, open or re-encrypt them, or after a folder scan.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Key version</th>
              <th scope="col">Size</th>
              <th scope="col">Last seen</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => (
              <tr key={f.Path} data-testid="inventory-row" data-status={f.Status}>
                <td>
                  <code className="mono">{f.Path}</code>
                </td>
                <td>
                  <code className="mono">{f.KeyVersionId}</code> {f.IsPrimaryVersion ? <span className="badge badge-primary">Current</span> : <span className="badge">Old version</span>}
                </td>
                <td>{f.Size.toLocaleString()} bytes</td>
                <td>{formatDateTime(f.LastSeenDate)}</td>
                <td>{f.Status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {onMore && (
        <button type="button" onClick={onMore}>
          Show more
        </button>
      )}
    </section>
  );
}
