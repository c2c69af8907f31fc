/** Encrypt, decrypt, re-encrypt or inspect files; each dropped file becomes its own job. */
import { useEffect, useMemo, useRef } from 'react';
import type { FileOperation, KeyMetadata } from '../../preload/contract';
import { DropZone } from '../components/DropZone';
import { FolderAsk } from '../components/FolderAsk';
import { FileJobRow } from '../components/FileJobRow';
import { InventoryPanel } from '../components/InventoryPanel';
import { OpenedFiles } from '../components/OpenedFiles';
import { KeyBlockNotice } from '../components/KeyBlockNotice';
import { keyLabel } from '../format';
import { keyBlock } from '../fileWords';
import { useFilesStore } from '../stores/filesStore';
import { useKeysStore } from '../stores/keysStore';
import { useUiStore } from '../stores/uiStore';

const OPERATIONS: { value: FileOperation; label: string; hint: string }[] = [
  { value: 'Encrypt', label: 'Encrypt', hint: 'Each file is written next to itself as <name>.age.' },
  { value: 'Decrypt', label: 'Decrypt', hint: 'Each .age file is written next to itself without the .age ending.' },
  { value: 'ReEncrypt', label: 'Re-encrypt to current primary', hint: "Each .age file is re-wrapped under its key's current version, in place." },
  { value: 'Inspect', label: 'Inspect', hint: 'Shows which key and version each .age file is under; nothing is written.' },
];

const STATE_WORDS: Partial<Record<KeyMetadata['KeyState'], string>> = {
  Disabled: 'disabled',
  PendingDeletion: 'deletion scheduled',
  PendingImport: 'no key material yet',
};

export function FilesScreen() {
  const { jobs, operation, keyId, overwrite, armor, saveAs, pendingFolders, setOperation, setOptions, start, pick, pickFolder, startFolders, clearFinished } =
    useFilesStore();
  const keys = useKeysStore((s) => s.keys);
  const keysLoaded = useKeysStore((s) => s.loaded);
  const keySelect = useRef<HTMLSelectElement>(null);
  const op = OPERATIONS.find((o) => o.value === operation) ?? OPERATIONS[0]!;

  // A first default only: the first usable key when nothing was chosen yet. A chosen key is
  // never replaced, even when it can no longer be used (the drop is blocked instead).
  useEffect(() => {
    if (keyId !== '' || !keysLoaded) return;
    const first = keys.find((k) => k.KeyState === 'Enabled');
    if (first) setOptions({ keyId: first.KeyId });
  }, [keys, keysLoaded, keyId, setOptions]);

  const needsKey = operation === 'Encrypt';
  const block = useMemo(() => (needsKey && keysLoaded ? keyBlock(keyId, keys, keyLabel) : { kind: 'none' as const }), [needsKey, keysLoaded, keyId, keys]);
  const noKeys = needsKey && keysLoaded && keys.length === 0;
  const chosenKnown = keys.some((k) => k.KeyId === keyId);
  const writes = operation === 'Encrypt' || operation === 'Decrypt';
  const chooseAnother = () => keySelect.current?.focus();

  return (
    <section className="screen" aria-labelledby="files-title" data-testid="screen-files">
      <header className="screen-header">
        <h1 id="files-title">Files</h1>
      </header>
      <OpenedFiles
        {...(block.kind !== 'none' || noKeys ? { encryptBlockedReason: noKeys ? 'Create a key first.' : 'The chosen key cannot be used: see below.' } : {})}
      />
      <div className="panel">
        <div className="form form-row">
          <label className="field field-compact">
            <span>Operation</span>
            <select value={operation} onChange={(e) => setOperation(e.target.value as FileOperation)} data-testid="file-operation">
              {OPERATIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
          {needsKey && (
            <label className="field field-compact">
              <span>Key</span>
              <select
                ref={keySelect}
                value={chosenKnown ? keyId : ''}
                onChange={(e) => setOptions({ keyId: e.target.value })}
                data-testid="file-key"
                disabled={keys.length === 0}
              >
                {!chosenKnown && <option value="">{keys.length === 0 ? 'No key yet' : 'Choose a key…'}</option>}
                {keys.map((k) => (
                  <option key={k.KeyId} value={k.KeyId}>
                    {keyLabel(k)}
                    {STATE_WORDS[k.KeyState] ? ` (${STATE_WORDS[k.KeyState]})` : ''}
                  </option>
                ))}
              </select>
            </label>
          )}
          {writes && (
            <label className="inline">
              <input type="checkbox" checked={overwrite} onChange={(e) => setOptions({ overwrite: e.target.checked })} data-testid="file-overwrite" />
              Replace existing output files (you will be asked)
            </label>
          )}
          {writes && (
            <label className="inline">
              <input type="checkbox" checked={saveAs} onChange={(e) => setOptions({ saveAs: e.target.checked })} data-testid="file-save-as" />
              Ask where to save
            </label>
          )}
          {operation === 'Encrypt' && (
            <label className="inline">
              <input type="checkbox" checked={armor} onChange={(e) => setOptions({ armor: e.target.checked })} data-testid="file-armor" />
              ASCII armor
            </label>
          )}
        </div>
        <DropZone onFiles={start} onPick={() => void pick()} onPickFolder={() => void pickFolder()} disabled={block.kind !== 'none'} hint={op.hint}>
          {noKeys ? (
            <div className="key-block" role="status" data-testid="file-key-blocked" data-kind="no-keys">
              <p className="key-block-text">There is no key to encrypt with yet.</p>
              <button type="button" className="button button-primary" onClick={() => useUiStore.getState().navigate('keys')}>
                Create a key
              </button>
            </div>
          ) : (
            <KeyBlockNotice block={block} keyId={keyId} onChooseAnother={chooseAnother} />
          )}
        </DropZone>
        {pendingFolders && (
          <FolderAsk
            pending={pendingFolders}
            operation={operation}
            blocked={block.kind !== 'none'}
            {...(chosenKnown ? { keyName: keyLabel(keys.find((k) => k.KeyId === keyId)!) } : {})}
            onAnswer={startFolders}
          />
        )}
      </div>
      {jobs.length > 0 && (
        <div className="panel">
          <div className="panel-head">
            <h2>Jobs</h2>
            <button
              type="button"
              className="button button-small"
              onClick={clearFinished}
              disabled={!jobs.some((j) => j.status !== 'running' && j.status !== 'held')}
            >
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
      <InventoryPanel />
    </section>
  );
}
