/** Folders picked or dropped as a whole: how many files were found (and left out) before anything starts. */
import { useEffect, useRef } from 'react';
import { operationWords } from '../fileWords';
import type { PendingFolders } from '../stores/filesStore';
import type { FileOperation } from '../../preload/contract';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** blocked: the chosen key cannot be used right now (the notice above says why). */
export function FolderAsk({
  pending,
  operation,
  keyName,
  blocked,
  onAnswer,
}: {
  pending: PendingFolders;
  operation: FileOperation;
  keyName?: string;
  blocked: boolean;
  onAnswer(go: boolean): void;
}) {
  const goButton = useRef<HTMLButtonElement>(null);
  useEffect(() => goButton.current?.focus(), [pending]);
  const total = pending.files.length;
  const verb = operationWords(operation).done;
  return (
    <div className="folder-ask" role="group" aria-label="Files found in the folder" data-testid="folder-ask">
      {pending.folders.map((f) => (
        <p key={f.name} data-testid="folder-count">
          <strong>{f.name}</strong>: {plural(f.files, 'file')}
          {f.skipped > 0 ? `; ${f.skipped} left out (links, special files or folders nested too deep)` : ''}.
        </p>
      ))}
      <div className="button-row">
        <button ref={goButton} type="button" className="button button-primary" onClick={() => onAnswer(true)} disabled={blocked} data-testid="folder-start">
          {verb} {plural(total, 'file')}
          {operation === 'Encrypt' && keyName ? ` with ${keyName}` : ''}
        </button>
        <button type="button" className="button" onClick={() => onAnswer(false)} data-testid="folder-cancel">
          Cancel
        </button>
      </div>
    </div>
  );
}
