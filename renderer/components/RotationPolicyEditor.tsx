/** Turn automatic rotation on or off and set its interval (UpdateRotationPolicy). */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { KeyMetadata } from '../../preload/contract';
import { describeInterval, intervalInputValue } from '../format';
import { useKeyDetailStore } from '../stores/keyDetailStore';
import { intervalProblem } from './CreateKeyDialog';

export function RotationPolicyEditor({ keyMeta }: { keyMeta: KeyMetadata }) {
  const updatePolicy = useKeyDetailStore((s) => s.updatePolicy);
  const busy = useKeyDetailStore((s) => s.busy);
  const currentlyOn = keyMeta.AutomaticRotation !== 'Disabled';
  const [enabled, setEnabled] = useState(currentlyOn);
  const [interval, setRotationInterval] = useState(intervalInputValue(keyMeta.RotationInterval));
  const ids = useId();

  // Follow the stored policy when it changes underneath (another window, the CLI, a save).
  useEffect(() => {
    setEnabled(currentlyOn);
    setRotationInterval(intervalInputValue(keyMeta.RotationInterval));
  }, [currentlyOn, keyMeta.RotationInterval]);

  if (keyMeta.KeyManager === 'VAULT') {
    return (
      <p className="muted" data-testid="rotation-policy-managed">
        This key is managed by Key Vault: it always rotates, every {describeInterval(keyMeta.RotationInterval)}.
      </p>
    );
  }
  if (keyMeta.Origin !== 'VAULT') {
    return <p className="muted">Keys with external material cannot rotate automatically; import new material instead.</p>;
  }

  const problem = enabled ? intervalProblem(interval) : undefined;
  const changed = enabled !== currentlyOn || (enabled && intervalInputValue(interval) !== intervalInputValue(keyMeta.RotationInterval));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (problem) return;
    await updatePolicy(enabled, interval);
  };

  return (
    <form className="form form-row" onSubmit={save} aria-label="Rotation policy" data-testid="rotation-policy">
      <label className="inline">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} data-testid="rotation-enabled" />
        Rotate automatically
      </label>
      <label className="field field-compact">
        <span>Every</span>
        <input
          type="text"
          value={interval}
          disabled={!enabled}
          size={8}
          onChange={(e) => setRotationInterval(e.target.value)}
          aria-invalid={problem !== undefined}
          aria-describedby={`${ids}-help`}
          data-testid="rotation-interval"
        />
      </label>
      <button type="submit" className="button" disabled={!changed || problem !== undefined || busy !== undefined}>
        {busy === 'Update rotation policy' ? 'Saving…' : 'Save policy'}
      </button>
      <small id={`${ids}-help`} className={problem ? 'help help-problem' : 'help'}>
        {problem ?? (currentlyOn ? `Currently every ${describeInterval(keyMeta.RotationInterval)}.` : 'Currently off.')}
      </small>
    </form>
  );
}
