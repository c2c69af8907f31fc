/**
 * The Files screen's inventory view (issue 12): the age files the vault knows, with their key,
 * whether they are on its current version and whether they are still where they were; filters by
 * key, stale only, missing; "Scan a folder". Presentational: the screen passes the page and the
 * callbacks. Paths are shown, never sent back: the folder to scan is chosen in main's dialog.
 */
import type { InventoryFileEntry } from '../../preload/contract';
import { formatBytes, formatDateTime } from '../format';
import { baseName } from '../fileWords';
import { inventoryStatusText } from '../retireWords';

export interface InventoryFilters {
  keyId?: string;
  staleOnly: boolean;
  missingOnly: boolean;
}

export interface FileInventoryTableProps {
  files: InventoryFileEntry[];
  filters: InventoryFilters;
  /** Keys to filter by, with the names people know them by. */
  keys: { id: string; name: string }[];
  busy: boolean;
  /** The last scan's result, in a sentence. */
  scanText?: string;
  onFilters(next: InventoryFilters): void;
  onScanFolder(): void;
  onMore?: () => void;
}

const folderOf = (path: string): string => path.slice(0, path.length - baseName(path).length).replace(/[\\/]$/, '');

export function FileInventoryTable({ files, filters, keys, busy, scanText, onFilters, onScanFolder, onMore }: FileInventoryTableProps) {
  const shown = filters.missingOnly ? files.filter((f) => f.Status !== 'Present') : files;
  const names = new Map(keys.map((k) => [k.id, k.name]));
  return (
    <section aria-labelledby="inventory-heading" data-testid="file-inventory">
      <div className="panel-head">
        <h2 id="inventory-heading">Known encrypted files</h2>
        <button type="button" className="button" disabled={busy} onClick={onScanFolder} data-testid="scan-folder">
          {busy ? 'Scanning…' : 'Scan a folder…'}
        </button>
      </div>
      {scanText && (
        <p role="status" className="retire-result" data-testid="scan-result">
          {scanText}
        </p>
      )}
      <div className="form form-row">
        <label className="field field-compact">
          <span>Key</span>
          <select value={filters.keyId ?? ''} onChange={(e) => onFilters({ ...filters, keyId: e.target.value || undefined })} data-testid="inventory-key">
            <option value="">All keys</option>
            {keys.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={filters.staleOnly}
            onChange={(e) => onFilters({ ...filters, staleOnly: e.target.checked })}
            data-testid="inventory-stale"
          />{' '}
          Only files on an older version
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={filters.missingOnly}
            onChange={(e) => onFilters({ ...filters, missingOnly: e.target.checked })}
            data-testid="inventory-missing"
          />{' '}
          Only missing or changed
        </label>
      </div>
      {shown.length === 0 ? (
        <p className="muted" data-testid="inventory-empty">
          No files match. Files appear here when you encrypt, open or re-encrypt them, or after a folder scan.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="table" data-testid="inventory-table">
            <caption className="visually-hidden">Known encrypted files</caption>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Key</th>
                <th scope="col">Size</th>
                <th scope="col">Last seen</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((f) => (
                <tr key={f.Path} data-testid="inventory-row" data-status={f.Status} data-stale={f.IsPrimaryVersion ? 'false' : 'true'}>
                  <td>
                    <div className="inventory-file">
                      <span className="inventory-name">{baseName(f.Path)}</span>
                      <span className="muted inventory-folder" title={f.Path}>
                        {folderOf(f.Path)}
                      </span>
                    </div>
                  </td>
                  <td>
                    {names.get(f.KeyId) ?? 'a key this vault does not list'}{' '}
                    {f.IsPrimaryVersion ? <span className="badge badge-primary">Current version</span> : <span className="badge badge-warn">Old version</span>}
                  </td>
                  <td className="nowrap">{formatBytes(f.Size)}</td>
                  <td>{formatDateTime(f.LastSeenDate)}</td>
                  <td className={f.Status === 'Present' ? undefined : 'inventory-problem'}>{inventoryStatusText(f.Status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {onMore && (
        <button type="button" className="button button-small" onClick={onMore} data-testid="inventory-more">
          Show more
        </button>
      )}
    </section>
  );
}
