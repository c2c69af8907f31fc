/**
 * The files the OS opened Key Vault with, on top of the Files screen: each waits for the person to
 * choose Decrypt or Inspect (an `.age` file) or Encrypt (anything else); nothing runs by itself.
 */
import type { FileOperation } from '../../preload/contract';
import { formatBytes } from '../format';
import { operationsFor, useOpenedFilesStore } from '../stores/openedFilesStore';

const VERB: Record<FileOperation, string> = { Encrypt: 'Encrypt', Decrypt: 'Decrypt', ReEncrypt: 'Re-encrypt', Inspect: 'Inspect' };

export function OpenedFiles({ encryptBlockedReason }: { encryptBlockedReason?: string }) {
  const { files, skipped, run, dismiss, dismissSkipped } = useOpenedFilesStore();
  if (files.length === 0 && skipped.length === 0) return null;
  return (
    <section className="panel opened-files" aria-labelledby="opened-files-title" data-testid="opened-files">
      <div className="panel-head">
        <h2 id="opened-files-title">Opened from your computer</h2>
      </div>
      <p className="muted">Choose what to do with each file. Nothing happens until you do.</p>
      <ul className="opened-files-list">
        {files.map((f) => (
          <li key={f.FileToken} className="opened-file" data-testid="opened-file">
            <span className="opened-file-name">{f.Name}</span>
            <span className="muted">{formatBytes(f.Size)}</span>
            <span className="opened-file-actions">
              {operationsFor(f.Name).map((op) => (
                <button
                  key={op}
                  type="button"
                  className={`button button-small${op === operationsFor(f.Name)[0] ? ' button-primary' : ''}`}
                  onClick={() => run(f, op)}
                  disabled={op === 'Encrypt' && encryptBlockedReason !== undefined}
                  title={op === 'Encrypt' ? encryptBlockedReason : undefined}
                  aria-label={`${VERB[op]} ${f.Name}`}
                >
                  {VERB[op]}
                </button>
              ))}
              <button type="button" className="button button-small" onClick={() => dismiss(f.FileToken)} aria-label={`Dismiss ${f.Name}`}>
                Dismiss
              </button>
            </span>
          </li>
        ))}
      </ul>
      {skipped.length > 0 && (
        <div className="error-text" role="alert">
          {skipped.map((s, i) => (
            <p key={`${i}:${s.Name}`}>Not opened: {s.Reason}</p>
          ))}
          <button type="button" className="button button-small" onClick={dismissSkipped}>
            OK
          </button>
        </div>
      )}
    </section>
  );
}
