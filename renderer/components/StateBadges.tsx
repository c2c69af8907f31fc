/** Small coloured labels for a key's state and its automatic rotation status. */
import type { KeyMetadata } from '../../preload/contract';

type KeyState = KeyMetadata['KeyState'];
type AutomaticRotation = KeyMetadata['AutomaticRotation'];

const STATE_LABEL: Record<KeyState, string> = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDeletion: 'Pending deletion',
  PendingImport: 'Pending import',
};

export function KeyStateBadge({ state }: { state: KeyState }) {
  return (
    <span className={`badge badge-state-${state}`} data-testid="key-state">
      {STATE_LABEL[state] ?? state}
    </span>
  );
}

export function RotationBadge({ status }: { status: AutomaticRotation }) {
  return (
    <span className={`badge badge-rotation-${status}`} data-testid="rotation-status" title={`Automatic rotation: ${status}`}>
      <span className="badge-prefix">
        <span aria-hidden="true">↻</span>
        <span className="visually-hidden">Automatic rotation:</span>
      </span>{' '}
      {status}
    </span>
  );
}
