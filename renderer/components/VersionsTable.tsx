/** The key's versions, newest first, with the primary one marked. */
import type { KeyVersionEntry } from '../../preload/contract';
import { formatDateTime } from '../format';

type RotationType = KeyVersionEntry['RotationType'];

const TYPE_TEXT: Record<RotationType, string> = {
  INITIAL: 'Initial',
  AUTOMATIC: 'Automatic',
  ON_DEMAND: 'On demand',
  IMPORT: 'Imported',
};

export function VersionsTable({ versions }: { versions: KeyVersionEntry[] }) {
  const rows = [...versions].sort((a, b) => Date.parse(b.CreationDate) - Date.parse(a.CreationDate));
  if (rows.length === 0) return <p className="muted">This key has no versions yet (its material has not been imported).</p>;
  return (
    <table className="table" data-testid="versions-table">
      <caption className="visually-hidden">Key versions</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Version</th>
          <th scope="col">Created</th>
          <th scope="col">Rotation type</th>
          <th scope="col">Primary</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((v, i) => (
          <tr key={v.KeyVersionId} data-testid="version-row" data-primary={v.IsPrimary ? 'true' : 'false'} className={v.IsPrimary ? 'row-primary' : undefined}>
            <td>{rows.length - i}</td>
            <td><code className="mono">{v.KeyVersionId}</code></td>
            <td>{formatDateTime(v.CreationDate)}</td>
            <td>{TYPE_TEXT[v.RotationType] ?? v.RotationType}</td>
            <td>{v.IsPrimary ? <span className="badge badge-primary">Primary</span> : <span className="visually-hidden">no</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
