/**
 * The recovery key, in a modal dialog: what it is, then (after main's native confirmation) the key
 * itself, shown once, with "Save recovery sheet" (main writes the sheet it holds) and "Print".
 */
import { useEffect, useRef } from 'react';
import { formatDateTime } from '../format';
import { useSetupStore } from '../stores/setupStore';
import { useUiStore } from '../stores/uiStore';

export function RecoveryKeyDialog() {
  const open = useUiStore((s) => s.recoveryOpen);
  const setOpen = useUiStore((s) => s.setRecoveryOpen);
  const revealed = useSetupStore((s) => s.revealed);
  const closeRevealed = useSetupStore((s) => s.closeRevealed);
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    else if (!open && dialog.open) dialog.close();
  }, [open]);

  const close = () => {
    setOpen(false);
    if (revealed) void closeRevealed();
  };

  return (
    <dialog ref={ref} className="dialog recovery-dialog" aria-labelledby="recovery-title" onClose={close} data-testid="recovery-dialog">
      <h2 id="recovery-title">Recovery key</h2>
      {open && <RecoveryKeyPanel onDone={close} />}
    </dialog>
  );
}

export function RecoveryKeyPanel({ onDone }: { onDone(): void }) {
  const recovery = useSetupStore((s) => s.recovery);
  const revealed = useSetupStore((s) => s.revealed);
  const busy = useSetupStore((s) => s.busy);
  const create = useSetupStore((s) => s.createRecoveryKey);
  const saveSheet = useSetupStore((s) => s.saveSheet);
  const keyRef = useRef<HTMLElement>(null);

  useEffect(() => {
    if (revealed) keyRef.current?.focus();
  }, [revealed]);

  if (revealed) {
    return (
      <div className="recovery-panel" data-testid="recovery-revealed">
        <p>
          <strong>Write this down or save the sheet now.</strong> It is shown only this once. With it and a copy of the vault folder, your keys can be recovered
          if this computer's keychain loses them.
        </p>
        <code className="recovery-key" tabIndex={-1} ref={keyRef} aria-label="Your recovery key" data-testid="recovery-key-text">
          {revealed.RecoveryKey}
        </code>
        <p className="muted">
          Vault {revealed.VaultId.slice(0, 8)} · made {formatDateTime(revealed.CreationDate)}
        </p>
        <div className="button-row">
          <button type="button" className="button" onClick={() => void saveSheet()} data-testid="save-recovery-sheet">
            Save recovery sheet…
          </button>
          <button type="button" className="button" onClick={() => window.print()} data-testid="print-recovery-key">
            Print
          </button>
          <button type="button" className="button button-primary" onClick={onDone} data-testid="recovery-done">
            I have stored it safely
          </button>
        </div>
      </div>
    );
  }
  const replacing = recovery?.RecoveryKeySet === true;
  return (
    <div className="recovery-panel" data-testid="recovery-intro">
      <p>
        If this computer's keychain is reset or the disk moves to another machine, the vault cannot open without a way to recover it. A recovery key is a line
        of 40 letters and digits that you print or write down and keep away from the computer.
      </p>
      {replacing && (
        <p className="warn-text">
          This vault already has a recovery key (made {formatDateTime(recovery.RecoveryKeyCreationDate)}). A new one makes the old sheet useless.
        </p>
      )}
      <p className="muted">Key Vault asks you to confirm before it shows the key.</p>
      <div className="button-row">
        <button type="button" className="button button-primary" disabled={busy} onClick={() => void create()} data-testid="create-recovery-key">
          {busy ? 'Making the key…' : replacing ? 'Replace recovery key' : 'Create recovery key'}
        </button>
        <button type="button" className="button" onClick={onDone}>
          Not now
        </button>
      </div>
    </div>
  );
}
