/** Vault information, recovery recipients, identities, recovery passphrase and backup export. */
import { useEffect, useId, useState, type ChangeEvent, type FormEvent } from 'react';
import { BackupPanel, RestorePanel } from '../components/BackupPanels';
import { ApiEndpointPanel } from '../components/ApiEndpointPanel';
import { formatDateTime } from '../format';
import { useKeysStore } from '../stores/keysStore';
import { useSettingsStore } from '../stores/settingsStore';
import { useSetupStore } from '../stores/setupStore';
import { useUiStore } from '../stores/uiStore';

export function SettingsScreen() {
  const load = useSettingsStore((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="screen" aria-labelledby="settings-title" data-testid="screen-settings">
      <header className="screen-header">
        <h1 id="settings-title" tabIndex={-1}>
          Settings
        </h1>
      </header>
      <VaultInfoPanel />
      <RecoveryKeySettings />
      <RecoveryRecipientsPanel />
      <IdentitiesPanel />
      <RecoveryPassphrasePanel />
      <BackupPanel />
      <RestoreSection />
      <ApiEndpointPanel />
    </section>
  );
}

/** The printed recovery key: whether there is one, and the button that makes (or replaces) it. */
function RecoveryKeySettings() {
  const recovery = useSetupStore((s) => s.recovery);
  const setRecoveryOpen = useUiStore((s) => s.setRecoveryOpen);
  const set = recovery?.RecoveryKeySet === true;
  return (
    <div className="panel" data-testid="recovery-key-settings">
      <h2>Recovery key</h2>
      <p>
        {recovery === undefined
          ? 'Loading…'
          : set
            ? `A recovery key was made on ${formatDateTime(recovery.RecoveryKeyCreationDate)}. Keep its sheet away from this computer.`
            : 'No recovery key yet: without it (or a recovery passphrase) the keys are lost if the keychain loses the vault’s secret.'}
      </p>
      <button type="button" className={set ? 'button' : 'button button-primary'} onClick={() => setRecoveryOpen(true)} data-testid="open-recovery-key">
        {set ? 'Replace recovery key…' : 'Create recovery key…'}
      </button>
    </div>
  );
}

/** What a restore would replace, from the key list already loaded. */
function RestoreSection() {
  const keys = useKeysStore((s) => s.keys);
  const loaded = useKeysStore((s) => s.loaded);
  const aliases = keys.flatMap((k) => k.Aliases.map((a) => a.replace(/^alias\//, '')));
  return <RestorePanel keyCount={loaded ? keys.length : undefined} aliases={aliases} />;
}

function VaultInfoPanel() {
  const info = useSettingsStore((s) => s.info);
  return (
    <div className="panel" data-testid="vault-info">
      <h2>Vault</h2>
      {info ? (
        <dl className="facts">
          <div className="fact">
            <dt>Directory</dt>
            <dd className="mono">{info.VaultDirectory}</dd>
          </div>
          <div className="fact">
            <dt>OS keychain</dt>
            <dd>
              <span className={info.KeychainStatus === 'Available' ? 'badge badge-ok' : 'badge badge-fail'} data-testid="keychain-status">
                {info.KeychainStatus}
              </span>
              {info.KeychainStatus !== 'Available' && <span className="muted"> The root secret cannot be read; unlock your keychain.</span>}
            </dd>
          </div>
          <div className="fact">
            <dt>Vault ID</dt>
            <dd className="mono">{info.VaultId}</dd>
          </div>
          <div className="fact">
            <dt>Created</dt>
            <dd>{formatDateTime(info.CreationDate)}</dd>
          </div>
          <div className="fact">
            <dt>Keys</dt>
            <dd>{info.KeyCount}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </div>
  );
}

function RecoveryRecipientsPanel() {
  const recipients = useSettingsStore((s) => s.recipients);
  const addRecipient = useSettingsStore((s) => s.addRecipient);
  const removeRecipient = useSettingsStore((s) => s.removeRecipient);
  const [draft, setDraft] = useState('');
  const ids = useId();
  const looksRight = /^age1[0-9a-z]{20,}$/.test(draft.trim());

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await addRecipient(draft)) setDraft('');
  };

  return (
    <div className="panel" data-testid="recovery-recipients">
      <h2>Recovery recipients</h2>
      <p className="muted">Every encrypted file is also readable by these age public keys, so you can recover files without this app.</p>
      {recipients.length === 0 ? (
        <p className="muted">No recovery recipients.</p>
      ) : (
        <ul className="plain-list">
          {recipients.map((r) => (
            <li key={r} className="list-line">
              <code className="mono truncate" title={r}>
                {r}
              </code>
              <button type="button" className="button button-small" onClick={() => void removeRecipient(r)} aria-label={`Remove recipient ${r}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="form form-row" onSubmit={submit}>
        <label className="field field-compact" htmlFor={`${ids}-r`}>
          <span>Add recipient</span>
        </label>
        <input
          id={`${ids}-r`}
          type="text"
          className="mono field-grow"
          placeholder="age1…"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          data-testid="recipient-input"
        />
        <button type="submit" className="button" disabled={!looksRight}>
          Add
        </button>
      </form>
    </div>
  );
}

function IdentitiesPanel() {
  const identities = useSettingsStore((s) => s.identities);
  const addIdentity = useSettingsStore((s) => s.addIdentity);
  const removeIdentity = useSettingsStore((s) => s.removeIdentity);
  const [text, setText] = useState('');
  const ids = useId();

  const onPick = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) setText(await file.text());
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // The secret text is cleared either way: it should not linger in the page longer than needed.
    await addIdentity(text);
    setText('');
  };

  return (
    <div className="panel" data-testid="identities">
      <h2>Identities</h2>
      <p className="muted">age identities the vault can use to decrypt files addressed to them. Only their public recipients are shown.</p>
      {identities.length === 0 ? (
        <p className="muted">No identities.</p>
      ) : (
        <ul className="plain-list">
          {identities.map((i) => (
            <li key={i.Id} className="list-line">
              <code className="mono truncate" title={i.Recipient}>
                {i.Recipient}
              </code>
              <span className="muted nowrap">added {formatDateTime(i.CreationDate)}</span>
              <button type="button" className="button button-small" onClick={() => void removeIdentity(i.Id)} aria-label={`Remove identity ${i.Recipient}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="form" onSubmit={submit}>
        <label className="field" htmlFor={`${ids}-t`}>
          <span>Identity file text</span>
        </label>
        <textarea
          id={`${ids}-t`}
          rows={3}
          className="mono"
          placeholder="AGE-SECRET-KEY-1…"
          autoComplete="off"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="identity-text"
        />
        <div className="button-row">
          <label htmlFor={`${ids}-f`} className="button">
            Load from file…
          </label>
          <input id={`${ids}-f`} type="file" className="visually-hidden" onChange={(e) => void onPick(e)} />
          <button type="submit" className="button button-primary" disabled={text.trim() === ''}>
            Add identity
          </button>
        </div>
      </form>
    </div>
  );
}

function RecoveryPassphrasePanel() {
  const recovery = useSettingsStore((s) => s.recovery);
  const setPassphrase = useSettingsStore((s) => s.setPassphrase);
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const [done, setDone] = useState<string>();
  // Deriving the recovery key takes seconds (scrypt), and main asks for confirmation first.
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const mismatch = second !== '' && first !== second;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(undefined);
    if (busy || first === '' || first !== second) return;
    setBusy(true);
    if (await setPassphrase(first)) {
      setDone('Recovery passphrase saved.');
      setFirst('');
      setSecond('');
    }
    setBusy(false);
  };

  const remove = async () => {
    setDone(undefined);
    setBusy(true);
    if (await setPassphrase('')) setDone('Recovery passphrase removed.');
    setBusy(false);
  };

  return (
    <div className="panel" data-testid="recovery-passphrase">
      <h2>Recovery passphrase</h2>
      <p>
        Status:{' '}
        <strong data-testid="recovery-status">
          {recovery === undefined
            ? 'loading…'
            : recovery.RecoveryPassphraseSet
              ? `set${recovery.CreationDate ? ` on ${formatDateTime(recovery.CreationDate)}` : ''}`
              : 'not set'}
        </strong>
      </p>
      <form className="form form-row" onSubmit={submit} aria-busy={busy}>
        <label className="field field-compact" htmlFor={`${ids}-p1`}>
          <span>New passphrase</span>
        </label>
        <input id={`${ids}-p1`} type="password" autoComplete="new-password" value={first} onChange={(e) => setFirst(e.target.value)} />
        <label className="field field-compact" htmlFor={`${ids}-p2`}>
          <span>Repeat</span>
        </label>
        <input
          id={`${ids}-p2`}
          type="password"
          autoComplete="new-password"
          value={second}
          onChange={(e) => setSecond(e.target.value)}
          aria-invalid={mismatch}
          aria-describedby={`${ids}-help`}
        />
        <button type="submit" className="button" disabled={busy || first === '' || first !== second} data-testid="recovery-save">
          {busy ? 'Saving…' : 'Save'}
        </button>
        {recovery?.RecoveryPassphraseSet && (
          <button type="button" className="button button-danger-outline" disabled={busy} onClick={() => void remove()}>
            Remove
          </button>
        )}
      </form>
      <small id={`${ids}-help`} className={mismatch ? 'help help-problem' : 'help'}>
        {mismatch ? 'The two passphrases differ.' : (done ?? 'Lets you restore the vault on another machine without the OS keychain.')}
      </small>
    </div>
  );
}
