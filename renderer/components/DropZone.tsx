/**
 * Drop files here or pick them in main's native dialog. The page never learns a path: the preload
 * saw the drop and registered its files with main; here we only take the tokens it got back.
 */
import { useState, type DragEvent, type ReactNode } from 'react';
import type { FileHandle } from '../../preload/contract';
import { vault } from '../bridge';
import { useUiStore } from '../stores/uiStore';

/** children: shown instead of the hint while the zone is disabled (why, and the fix). */
export function DropZone({
  onFiles,
  onPick,
  onPickFolder,
  disabled,
  hint,
  children,
}: {
  onFiles(files: FileHandle[]): void;
  onPick(): void;
  onPickFolder?(): void;
  disabled?: boolean;
  hint: string;
  children?: ReactNode;
}) {
  const [over, setOver] = useState(false);

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setOver(false);
    // Taken even when disabled, so the tokens of this drop do not linger for a later one.
    const taking = vault().takeDroppedFiles();
    void taking.then(
      (files) => {
        if (!disabled && files.length > 0) onFiles(files);
      },
      (err: unknown) => useUiStore.getState().reportError('Drop files', err),
    );
  };

  return (
    <div
      className={`dropzone${over ? ' dropzone-over' : ''}${disabled ? ' dropzone-disabled' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-testid="dropzone"
    >
      <p className="dropzone-title">Drop files or folders here</p>
      {disabled && children ? children : <p className="muted">{hint}</p>}
      <div className="button-row">
        <button type="button" className="button" disabled={disabled} onClick={onPick} data-testid="file-pick">
          Choose files…
        </button>
        {onPickFolder && (
          <button type="button" className="button" disabled={disabled} onClick={onPickFolder} data-testid="file-pick-folder">
            Choose a folder…
          </button>
        )}
      </div>
    </div>
  );
}
