/**
 * Shown instead of the whole app when the vault failed its integrity check: nothing in it can be
 * trusted, so nothing is listed, encrypted or rotated. The error's own message carries the advice
 * (what to restore, where the last good copy is); restoring a backup is offered in place.
 */
import type { ShownError } from '../bridge';
import { RestorePanel } from './BackupPanels';

export function IntegrityBlocked({ error }: { error: ShownError }) {
  return (
    <main className="blocked" data-testid="integrity-blocked" aria-labelledby="blocked-title">
      <div className="panel blocked-panel" role="alertdialog" aria-labelledby="blocked-title" aria-describedby="blocked-advice">
        <h1 id="blocked-title">This vault cannot be trusted</h1>
        <p className="blocked-lead">{error.plain}</p>
        <p id="blocked-advice" className="blocked-advice" data-testid="integrity-advice">
          {error.message}
        </p>
        <p className="muted">
          Key Vault will not read, encrypt, decrypt or rotate anything until the vault is restored. <code className="error-name">{error.name}</code>
        </p>
      </div>
      <RestorePanel keyCount={undefined} aliases={[]} />
    </main>
  );
}
