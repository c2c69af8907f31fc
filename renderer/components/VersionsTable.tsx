/** The key's versions, newest first: when and how each was made, which one new data uses; ids one click away. */
import type { KeyVersionEntry } from '../../preload/contract';
import { formatDateTime } from '../format';
import { CopyButton } from './CopyButton';

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
    <div className="table-scroll">
      <table className="table" data-testid="versions-table">
        <caption className="visually-hidden">Key versions</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Made</th>
            <th scope="col">How</th>
            <th scope="col">Role</th>
            <th scope="col"><span className="visually-hidden">Version id</span></th>
          </tr>
        </thead>
        <tbody>
          {rows.map((v, i) => (
            <tr
              key={v.KeyVersionId}
              data-testid="version-row"
              data-primary={v.IsPrimary ? 'true' : 'false'}
              data-version-id={v.KeyVersionId}
              className={v.IsPrimary ? 'row-primary' : undefined}
            >
              <td>{rows.length - i}</td>
              <td>{formatDateTime(v.CreationDate)}</td>
              <td>{TYPE_TEXT[v.RotationType] ?? v.RotationType}</td>
              <td>{v.IsPrimary ? <span className="badge badge-primary">Current</span> : <span className="muted">Older: opens what it encrypted</span>}</td>
              <td className="cell-end"><CopyButton value={v.KeyVersionId} what={`the id of version ${rows.length - i}`} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
