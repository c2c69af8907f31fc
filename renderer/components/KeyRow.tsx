/** One line of the keys list: alias and description, state, rotation status and schedule. */
import { memo } from 'react';
import type { KeyMetadata } from '../../preload/contract';
import { keyLabel, nextRotationText } from '../format';
import { KeyStateBadge, RotationBadge } from './StateBadges';

export const KeyRow = memo(function KeyRow({ keyMeta, now }: { keyMeta: KeyMetadata; now: number }) {
  const schedule =
    keyMeta.AutomaticRotation === 'Enabled'
      ? nextRotationText(keyMeta.NextRotationDate, now)
      : keyMeta.AutomaticRotation === 'Suspended'
        ? 'rotation paused while the key is not enabled'
        : 'no automatic rotation';
  return (
    <div className="key-row" data-testid="key-row" data-key-id={keyMeta.KeyId}>
      <div className="key-row-main">
        <span className="key-row-alias">{keyLabel(keyMeta)}</span>
        <span className="key-row-description">{keyMeta.Description || <em className="muted">No description</em>}</span>
      </div>
      <div className="key-row-id muted" title={keyMeta.KeyId}>
        {keyMeta.KeyId}
      </div>
      <div className="key-row-status">
        <KeyStateBadge state={keyMeta.KeyState} />
        <RotationBadge status={keyMeta.AutomaticRotation} />
        <span className="key-row-next muted" data-testid="next-rotation">
          {schedule}
        </span>
      </div>
    </div>
  );
});
