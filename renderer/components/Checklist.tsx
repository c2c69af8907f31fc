/** The first three things to do, each with its own button; a done item says so. */
import { recoveryReady, useSetupStore } from '../stores/setupStore';
import { useUiStore } from '../stores/uiStore';

/** Opens Settings with the backup form in view and its passphrase field focused. */
function goToBackup(navigate: (screen: 'settings') => void): void {
  navigate('settings');
  // After the heading took focus (next frame), hand it to the form the person came for.
  setTimeout(() => {
    const field = document.querySelector<HTMLElement>('[data-testid="backup-passphrase"]');
    field?.scrollIntoView({ block: 'center' });
    field?.focus({ preventScroll: true });
  }, 50);
}

export function Checklist({ hasKeys }: { hasKeys: boolean }) {
  const recovery = useSetupStore((s) => s.recovery);
  const backupSaved = useSetupStore((s) => s.backupSaved);
  const setRecoveryOpen = useUiStore((s) => s.setRecoveryOpen);
  const setCreatingKey = useUiStore((s) => s.setCreatingKey);
  const navigate = useUiStore((s) => s.navigate);
  const items = [
    {
      id: 'recovery',
      done: recoveryReady(recovery),
      title: 'Create the recovery key',
      why: 'So the vault can be opened again if the keychain is lost.',
      action: 'Create recovery key',
      run: () => setRecoveryOpen(true),
    },
    {
      id: 'backup',
      done: backupSaved,
      title: 'Save a backup',
      why: 'A passphrase-protected copy of every key, kept off this computer.',
      action: 'Go to backup',
      run: () => goToBackup(navigate),
    },
    {
      id: 'key',
      done: hasKeys,
      title: 'Create your first key',
      why: 'One key per purpose, e.g. “tax-returns” or “photos”.',
      action: 'Create key',
      run: () => setCreatingKey(true),
    },
  ];
  return (
    <ol className="checklist" aria-label="Getting started" data-testid="checklist">
      {items.map((item) => (
        <li key={item.id} className={item.done ? 'checklist-item checklist-done' : 'checklist-item'} data-testid={`checklist-${item.id}`} data-done={item.done}>
          <span className="checklist-mark" aria-hidden="true">
            {item.done ? '✓' : ''}
          </span>
          <span className="checklist-text">
            <strong>{item.title}</strong>
            <span className="muted">{item.done ? 'Done.' : item.why}</span>
          </span>
          {!item.done && (
            <button type="button" className="button button-small" onClick={item.run} data-testid={`checklist-${item.id}-action`}>
              {item.action}
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}
