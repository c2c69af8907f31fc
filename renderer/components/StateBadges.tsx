/** The one coloured label of a key (its state), and its rotation said in words. */
import type { KeyMetadata } from '../../preload/contract';
import { rotationWords } from '../format';

type KeyState = KeyMetadata['KeyState'];

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

/** Rotation in plain words, not a second pill: "Rotates every 30 days · next on 12 Jan". */
export function RotationWords({ keyMeta, now }: { keyMeta: KeyMetadata; now?: number }) {
  return (
    <span className={`rotation-words rotation-${keyMeta.AutomaticRotation}`} data-testid="rotation-status" data-rotation={keyMeta.AutomaticRotation}>
      {rotationWords(keyMeta, now)}
    </span>
  );
}
