/** Encrypt, decrypt, re-encrypt or inspect files; each dropped file becomes its own job. */
import { useEffect, useMemo } from 'react';
import type { FileOperation } from '../../preload/contract';
import { DropZone } from '../components/DropZone';
import { FileJobRow } from '../components/FileJobRow';
import { OpenedFiles } from '../components/OpenedFiles';
import { keyLabel } from '../format';
import { useFilesStore } from '../stores/filesStore';
import { useKeysStore } from '../stores/keysStore';

const OPERATIONS: { value: FileOperation; label: string; hint: string }[] = [
  { value: 'Encrypt', label: 'Encrypt', hint: 'Each file is written next to itself as <name>.age.' },
  { value: 'Decrypt', label: 'Decrypt', hint: 'Each .age file is written next to itself without the .age ending.' },
  { value: 'ReEncrypt', label: 'Re-encrypt to current primary', hint: "Each .age file is re-wrapped under its key's current primary version." },
  { value: 'Inspect', label: 'Inspect', hint: 'Shows which key and version each .age file is under; nothing is written.' },
];

export function FilesScreen() {
  const { jobs, operation, keyId, overwrite, armor, saveAs, setOptions, start, pick, clearFinished } = useFilesStore();
  const keys = useKeysStore((s) => s.keys);
  const usable = useMemo(() => keys.filter((k) => k.KeyState === 'Enabled'), [keys]);
  const op = OPERATIONS.find((o) => o.value === operation) ?? OPERATIONS[0]!;

  // Default the key to the first usable one; drop a choice that is no longer usable.
  useEffect(() => {
    const fallback = usable[0]?.KeyId ?? '';
    if (keyId !== fallback && !usable.some((k) => k.KeyId === keyId)) setOptions({ keyId: fallback });
  }, [usable, keyId, setOptions]);

  const needsKey = operation === 'Encrypt';
  const blocked = needsKey && keyId === '';

  return (
    <section className="screen" aria-labelledby="files-title" data-testid="screen-files">
      <header className="screen-header">
        <h1 id="files-title">Files</h1>
      </header>
      <OpenedFiles {...(blocked ? { encryptBlockedReason: 'Create or enable a key first.' } : {})} />
      <div className="panel">
        <div className="form form-row">
          <label className="field field-compact">
            <span>Operation</span>
            <select value={operation} onChange={(e) => setOptions({ operation: e.target.value as FileOperation })} data-testid="file-operation">
              {OPERATIONS.map((o) => (
                <option key={o.value} value={o.value}>{o.label}</option>
              ))}
            </select>
          </label>
          {needsKey && (
            <label className="field field-compact">
              <span>Key</span>
              <select value={keyId} onChange={(e) => setOptions({ keyId: e.target.value })} data-testid="file-key" disabled={usable.length === 0}>
                {usable.length === 0 && <option value="">No enabled key</option>}
                {usable.map((k) => (
                  <option key={k.KeyId} value={k.KeyId}>{keyLabel(k)}</option>
                ))}
              </select>
            </label>
          )}
          {operation !== 'Inspect' && (
            <label className="inline">
              <input type="checkbox" checked={overwrite} onChange={(e) => setOptions({ overwrite: e.target.checked })} data-testid="file-overwrite" />
              Replace existing output files (you will be asked)
            </label>
          )}
          {(operation === 'Encrypt' || operation === 'Decrypt') && (
            <label className="inline">
              <input type="checkbox" checked={saveAs} onChange={(e) => setOptions({ saveAs: e.target.checked })} data-testid="file-save-as" />
              Ask where to save
            </label>
          )}
          {operation === 'Encrypt' && (
            <label className="inline">
              <input type="checkbox" checked={armor} onChange={(e) => setOptions({ armor: e.target.checked })} />
              ASCII armor
            </label>
          )}
        </div>
        <DropZone onFiles={start} onPick={() => void pick()} disabled={blocked} hint={blocked ? 'Create or enable a key first.' : op.hint} />
      </div>
      {jobs.length > 0 && (
        <div className="panel">
          <div className="panel-head">
            <h2>Jobs</h2>
            <button type="button" className="button button-small" onClick={clearFinished} disabled={!jobs.some((j) => j.status !== 'running')}>
              Clear finished
            </button>
          </div>
          <ul className="file-jobs" data-testid="file-jobs">
            {jobs.map((job) => (
              <FileJobRow key={job.jobId} job={job} />
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
