/** Shown on every screen while the vault has no way to be recovered; it goes away only by setting one up. */
import { recoveryReady, useSetupStore } from '../stores/setupStore';
import { useUiStore } from '../stores/uiStore';

export function RecoveryWarning() {
  const recovery = useSetupStore((s) => s.recovery);
  const setRecoveryOpen = useUiStore((s) => s.setRecoveryOpen);
  if (recovery === undefined || recoveryReady(recovery)) return null;
  return (
    <div className="recovery-warning" role="region" aria-label="Recovery warning" data-testid="recovery-warning">
      <span>
        <strong>No recovery is set up.</strong> If this computer's keychain loses the vault's secret, every key and every file they protect is lost.
      </span>
      <button type="button" className="button button-small" onClick={() => setRecoveryOpen(true)} data-testid="recovery-warning-action">
        Set up recovery
      </button>
    </div>
  );
}
