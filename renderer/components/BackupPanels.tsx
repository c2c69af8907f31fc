/**
 * Backup and restore. The page gives only the passphrase: where the backup is written, which
 * backup is restored, and the "are you sure" all happen in main's native dialogs. The outcome
 * (written, cancelled, failed) is shown beside the button that started it.
 */
import { useId, useState, type FormEvent } from 'react';
import type { AppRestoreBackupResponse } from '../../preload/contract';
import { toShownError, vault, type ShownError } from '../bridge';
import { ErrorText } from './ErrorText';
import { PassphraseMeter, usePassphraseEstimate } from './PassphraseMeter';

const MIN_CHARACTERS = 8;

type Outcome = { kind: 'done'; text: string } | { kind: 'cancelled'; text: string } | { kind: 'failed'; error: ShownError };

function outcomeOf(err: unknown, cancelledText: string): Outcome {
  const error = toShownError(err);
  return error.name === 'CancelledException' ? { kind: 'cancelled', text: cancelledText } : { kind: 'failed', error };
}

function OutcomeLine({ outcome, action, testId }: { outcome: Outcome | undefined; action: string; testId: string }) {
  if (!outcome) return null;
  if (outcome.kind === 'failed') return <ErrorText error={outcome.error} action={action} />;
  return (
    <p role="status" className={outcome.kind === 'done' ? 'success outcome' : 'muted outcome'} data-testid={testId} data-outcome={outcome.kind}>
      {outcome.text}
    </p>
  );
}

export function BackupPanel() {
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const ids = useId();
  const characters = [...first].length;
  const tooShort = first !== '' && characters < MIN_CHARACTERS;
  const mismatch = second !== '' && first !== second;
  const estimate = usePassphraseEstimate(characters >= MIN_CHARACTERS ? first : '');
  const ready = !busy && characters >= MIN_CHARACTERS && first === second && estimate?.Acceptable === true;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    setOutcome(undefined);
    setBusy(true);
    try {
      const res = await vault().exportBackup({ Passphrase: first });
      setOutcome({ kind: 'done', text: `Backup of ${res.KeyCount} key${res.KeyCount === 1 ? '' : 's'} saved to ${res.OutPath}` });
      setFirst('');
      setSecond('');
    } catch (err) {
      setOutcome(outcomeOf(err, 'Not exported: you cancelled. Nothing was written.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel" data-testid="backup">
      <h2>Back up the vault</h2>
      <p className="muted">Saves every key, encrypted with a passphrase you choose here. You pick where the file goes in the next step.</p>
      <form className="form" onSubmit={submit} aria-busy={busy}>
        <label className="field" htmlFor={`${ids}-p1`}>
          <span>Backup passphrase</span>
        </label>
        <input
          id={`${ids}-p1`}
          type="password"
          autoComplete="new-password"
          value={first}
          onChange={(e) => setFirst(e.target.value)}
          aria-describedby={`${ids}-rules`}
          aria-invalid={tooShort}
          data-testid="backup-passphrase"
        />
        <PassphraseMeter estimate={estimate} />
        <label className="field" htmlFor={`${ids}-p2`}>
          <span>Repeat the passphrase</span>
        </label>
        <input
          id={`${ids}-p2`}
          type="password"
          autoComplete="new-password"
          value={second}
          onChange={(e) => setSecond(e.target.value)}
          aria-describedby={`${ids}-rules`}
          aria-invalid={mismatch}
          data-testid="backup-passphrase-repeat"
        />
        <small id={`${ids}-rules`} className={tooShort || mismatch ? 'help help-problem' : 'help'} data-testid="backup-rules">
          {mismatch
            ? 'The two passphrases differ.'
            : tooShort
              ? `${MIN_CHARACTERS - characters} more character${MIN_CHARACTERS - characters === 1 ? '' : 's'} needed (at least ${MIN_CHARACTERS}).`
              : `At least ${MIN_CHARACTERS} characters. Without it the backup cannot be opened, so keep it safe.`}
        </small>
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={!ready} data-testid="backup-export">
            {busy ? 'Saving backup…' : 'Save backup…'}
          </button>
          <OutcomeLine outcome={outcome} action="Save backup" testId="backup-done" />
        </div>
      </form>
    </div>
  );
}

export function RestorePanel({ keyCount, aliases }: { keyCount: number | undefined; aliases: string[] }) {
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const ids = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || passphrase === '') return;
    setOutcome(undefined);
    setBusy(true);
    try {
      const res: AppRestoreBackupResponse = await vault().restoreBackup({ Passphrase: passphrase });
      setOutcome({
        kind: 'done',
        text:
          `Restored ${res.KeyCount} key${res.KeyCount === 1 ? '' : 's'} from ${res.BackupFile}.` +
          (res.Restarting ? ' Key Vault restarts now.' : '') +
          (res.RecoveryPassphraseSet ? '' : ' Set a recovery passphrase again.'),
      });
      setPassphrase('');
    } catch (err) {
      setOutcome(outcomeOf(err, 'Not restored: you cancelled. The vault is unchanged.'));
    } finally {
      setBusy(false);
    }
  };

  const replaced =
    keyCount === undefined
      ? 'Restoring replaces everything in this vault.'
      : `Restoring replaces the ${keyCount} key${keyCount === 1 ? '' : 's'} in this vault${aliases.length > 0 ? ` (${aliases.join(', ')})` : ''} with the keys in the backup.`;

  return (
    <div className="panel" data-testid="restore">
      <h2>Restore from a backup</h2>
      <p data-testid="restore-account">
        {replaced} Files encrypted under a key that is not in the backup can no longer be decrypted, and the recovery passphrase must be set again. You choose
        the backup file, and confirm, in the next step.
      </p>
      <form className="form" onSubmit={submit} aria-busy={busy}>
        <label className="field" htmlFor={`${ids}-pass`}>
          <span>Passphrase of the backup</span>
        </label>
        <input
          id={`${ids}-pass`}
          type="password"
          autoComplete="current-password"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          data-testid="restore-passphrase"
        />
        <div className="button-row">
          <button type="submit" className="button button-danger-outline" disabled={busy || passphrase === ''} data-testid="restore-start">
            {busy ? 'Restoring…' : 'Restore from backup…'}
          </button>
          <OutcomeLine outcome={outcome} action="Restore" testId="restore-done" />
        </div>
      </form>
    </div>
  );
}
