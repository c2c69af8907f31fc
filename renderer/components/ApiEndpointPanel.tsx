/**
 * Settings → AWS-compatible endpoint: on/off and port, status (listening, requests served, last
 * error), the ~/.aws/config profile to copy, and credential rotation. Off by default.
 */
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiEndpointStatus } from '../../preload/contract';
import { toShownError, vault, type ShownError } from '../bridge';
import { ErrorText } from './ErrorText';

export function ApiEndpointPanel() {
  const [status, setStatus] = useState<ApiEndpointStatus>();
  const [port, setPort] = useState('');
  const [profile, setProfile] = useState('');
  const [error, setError] = useState<ShownError>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const ids = useId();

  const run = useCallback(async (action: () => Promise<void>) => {
    setError(undefined);
    setBusy(true);
    try {
      await action();
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(false);
    }
  }, []);

  const refresh = useCallback(async () => {
    const s = await vault().getApiEndpointStatus();
    setStatus(s);
    setPort((p) => (p === '' ? String(s.Port) : p));
    setProfile((await vault().getAwsProfile()).Profile);
  }, []);

  useEffect(() => {
    void run(refresh);
  }, [run, refresh]);

  const apply = (enabled: boolean) => (e?: FormEvent) => {
    e?.preventDefault();
    void run(async () => {
      setNotice(undefined);
      setStatus(await vault().setApiEndpoint({ Enabled: enabled, Port: Number(port) }));
      setProfile((await vault().getAwsProfile()).Profile);
    });
  };

  const copy = () =>
    void run(async () => {
      await navigator.clipboard.writeText(profile);
      setNotice('Profile copied. Paste it into ~/.aws/config.');
    });

  const rotate = () =>
    void run(async () => {
      const r = await vault().rotateApiCredentials();
      setNotice(`New credentials ${r.AccessKeyId}; the old ones no longer work.`);
    });

  if (!status && error?.name === 'UnsupportedOperationException') {
    return (
      <div className="panel" data-testid="api-endpoint">
        <h2>AWS-compatible endpoint</h2>
        <p className="muted">Not available in this window (the endpoint runs in the desktop app).</p>
      </div>
    );
  }

  const portValid = /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
  const state = !status ? 'loading…' : status.Listening ? `listening on ${status.Endpoint}` : status.Enabled ? 'not listening' : 'off';

  return (
    <div className="panel" data-testid="api-endpoint">
      <h2>AWS-compatible endpoint</h2>
      <p className="muted">Lets the AWS SDKs, the aws CLI, boto3 and the AWS Encryption SDK use this vault's keys, on this computer only (loopback).</p>
      <dl className="facts">
        <div className="fact">
          <dt>Status</dt>
          <dd>
            <span className={status?.Listening ? 'badge badge-ok' : 'badge'} data-testid="api-endpoint-state">
              {state}
            </span>
          </dd>
        </div>
        <div className="fact">
          <dt>Region</dt>
          <dd className="mono">{status?.Region ?? ''}</dd>
        </div>
        <div className="fact">
          <dt>Requests served</dt>
          <dd data-testid="api-endpoint-served">{status?.RequestsServed ?? 0}</dd>
        </div>
        {status?.LastError && (
          <div className="fact">
            <dt>Last error</dt>
            <dd className="mono" data-testid="api-endpoint-last-error">
              {status.LastError}
            </dd>
          </div>
        )}
      </dl>
      <form className="form form-row" onSubmit={apply(true)}>
        <label className="field field-compact" htmlFor={`${ids}-port`}>
          <span>Port</span>
        </label>
        <input
          id={`${ids}-port`}
          type="text"
          inputMode="numeric"
          className="mono"
          value={port}
          onChange={(e) => setPort(e.target.value)}
          aria-invalid={!portValid}
          data-testid="api-endpoint-port"
        />
        {status?.Enabled ? (
          <>
            <button type="submit" className="button" disabled={busy || !portValid}>
              Apply port
            </button>
            <button type="button" className="button button-danger-outline" disabled={busy} onClick={() => apply(false)()} data-testid="api-endpoint-off">
              Turn off
            </button>
          </>
        ) : (
          <button type="submit" className="button button-primary" disabled={busy || !portValid} data-testid="api-endpoint-on">
            Turn on
          </button>
        )}
      </form>
      <label className="field" htmlFor={`${ids}-profile`}>
        <span>Profile for ~/.aws/config (no secret in it)</span>
      </label>
      <textarea id={`${ids}-profile`} className="mono" readOnly rows={5} value={profile} data-testid="api-endpoint-profile" />
      <div className="button-row">
        <button type="button" className="button" disabled={busy || profile === ''} onClick={copy} data-testid="api-endpoint-copy">
          Copy profile
        </button>
        <button type="button" className="button" disabled={busy} onClick={rotate} data-testid="api-endpoint-rotate">
          Rotate credentials
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void run(refresh)}>
          Refresh status
        </button>
      </div>
      {notice && (
        <p role="status" className="success" data-testid="api-endpoint-notice">
          {notice}
        </p>
      )}
      {error && <ErrorText error={error} />}
    </div>
  );
}
