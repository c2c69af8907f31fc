/** One line of the keys list: the key's name and description first, its state, its rotation in words. */
import { memo } from 'react';
import type { KeyMetadata } from '../../preload/contract';
import { keyLabel } from '../format';
import { KeyStateBadge, RotationWords } from './StateBadges';

export const KeyRow = memo(function KeyRow({ keyMeta, now }: { keyMeta: KeyMetadata; now: number }) {
  const named = keyMeta.Aliases.length > 0;
  return (
    <div className="key-row" data-testid="key-row" data-key-id={keyMeta.KeyId}>
      <div className="key-row-main">
        <span className="key-row-alias" title={keyLabel(keyMeta)}>
          {named ? keyLabel(keyMeta) : <span className="muted">Unnamed key {keyMeta.KeyId.slice(0, 8)}</span>}
        </span>
        <span className="key-row-description">{keyMeta.Description || <em className="muted">No description</em>}</span>
      </div>
      <div className="key-row-status">
        <KeyStateBadge state={keyMeta.KeyState} />
        <RotationWords keyMeta={keyMeta} now={now} />
      </div>
    </div>
  );
});
