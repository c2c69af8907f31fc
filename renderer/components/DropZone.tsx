/** Drop files here or pick them; hands back each File with its path on disk. */
import { useId, useState, type DragEvent } from 'react';
import { vault } from '../bridge';

export interface PickedFile {
  name: string;
  path: string;
}

function withPaths(files: FileList | null): PickedFile[] {
  if (!files) return [];
  return Array.from(files, (file) => {
    let path = '';
    try {
      path = vault().getPathForFile(file);
    } catch {
      path = '';
    }
    return { name: file.name, path };
  });
}

export function DropZone({ onFiles, disabled, hint }: { onFiles(files: PickedFile[]): void; disabled?: boolean; hint: string }) {
  const [over, setOver] = useState(false);
  const inputId = useId();

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setOver(false);
    if (disabled) return;
    const picked = withPaths(e.dataTransfer.files);
    if (picked.length > 0) onFiles(picked);
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
      <p className="dropzone-title">Drop files here</p>
      <p className="muted">{hint}</p>
      <label htmlFor={inputId} className={`button${disabled ? ' button-disabled' : ''}`}>
        Choose files…
      </label>
      <input
        id={inputId}
        type="file"
        multiple
        disabled={disabled}
        className="visually-hidden"
        aria-label="Choose files"
        data-testid="file-input"
        onChange={(e) => {
          const picked = withPaths(e.target.files);
          e.target.value = '';
          if (picked.length > 0) onFiles(picked);
        }}
      />
    </div>
  );
}
