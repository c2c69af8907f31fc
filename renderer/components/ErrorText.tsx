/**
 * One error in plain words, with the exception name and the service's message. A key named by its
 * id is named by its alias instead, and when the key's state is the cause, the fix is one click
 * away ("tax-returns is disabled — Enable").
 */
import { useState } from 'react';
import type { ShownError } from '../bridge';
import { explainKeyError, type KeyFix } from '../format';
import { useKeysStore } from '../stores/keysStore';

const FIXED_WORDS: Record<KeyFix['label'], (key: string) => string> = {
  Enable: (key) => `${key} is enabled again; try once more.`,
  'Cancel deletion': (key) => `Deletion of ${key} cancelled; it stays disabled until you enable it.`,
  'Import material': (key) => `${key} is open below: import its material there.`,
};

export function ErrorText({ error, action }: { error: ShownError; action?: string }) {
  const keys = useKeysStore((s) => s.keys);
  const fixKey = useKeysStore((s) => s.fixKey);
  const [fixed, setFixed] = useState<string>();
  const explained = explainKeyError(error, keys);
  const fix = explained.fix;
  return (
    <div className="error-text" role="alert" data-testid="error-text" data-error-name={error.name}>
      <strong>
        {action ? `${action} failed: ` : ''}
        {error.plain}
      </strong>{' '}
      <span className="error-detail">
        <code className="error-name">{error.name}</code> {explained.message}
      </span>
      {fix && !fixed && (
        <span className="error-fix">
          {explained.key} is {fix.label === 'Enable' ? 'disabled' : fix.label === 'Cancel deletion' ? 'scheduled for deletion' : 'waiting for its key material'}{' '}
          —{' '}
          <button
            type="button"
            className="button button-small"
            onClick={() => void fixKey(fix).then((ok) => ok && setFixed(FIXED_WORDS[fix.label](explained.key ?? 'The key')))}
            data-testid="error-fix"
          >
            {fix.label} {explained.key}
          </button>
        </span>
      )}
      {fixed && (
        <span className="error-fix success" data-testid="error-fixed">
          {fixed}
        </span>
      )}
    </div>
  );
}
