/** Everything about one key: metadata, versions, rotation, lifecycle, import and a text tester. */
import { useEffect } from 'react';
import type { KeyMetadata } from '../../preload/contract';
import { ImportMaterialPanel } from '../components/ImportMaterialPanel';
import { KeyLifecyclePanel } from '../components/KeyLifecyclePanel';
import { RotationPolicyEditor } from '../components/RotationPolicyEditor';
import { RotationTimeline } from '../components/RotationTimeline';
import { CopyButton } from '../components/CopyButton';
import { KeyStateBadge, RotationWords } from '../components/StateBadges';
import { TextCryptoPanel } from '../components/TextCryptoPanel';
import { VersionRetirePanel } from '../components/VersionRetirePanel';
import { describeInterval, formatDateTime, keyLabel, nextRotationText } from '../format';
import { useKeyDetailStore } from '../stores/keyDetailStore';
import { useRetireStore } from '../stores/retireStore';
import { useUiStore } from '../stores/uiStore';

export function KeyDetailScreen({ keyId }: { keyId: string }) {
  const meta = useKeyDetailStore((s) => (s.keyId === keyId ? s.meta : undefined));
  const versions = useKeyDetailStore((s) => (s.keyId === keyId ? s.versions : []));
  const load = useKeyDetailStore((s) => s.load);
  const openKey = useUiStore((s) => s.openKey);

  useEffect(() => {
    void load(keyId);
  }, [keyId, load]);
  // Focus moves to the key's name once it is on screen (the heading does not exist while loading).
  const shown = meta !== undefined;
  useEffect(() => {
    if (shown && !document.querySelector('dialog[open]')) document.getElementById('key-title')?.focus({ preventScroll: true });
  }, [shown, keyId]);

  const back = (
    <button type="button" className="button button-link" onClick={() => openKey(undefined)} data-testid="back-to-keys" aria-keyshortcuts="Escape">
      ← All keys <span className="muted key-hint">(Esc)</span>
    </button>
  );

  if (!meta) {
    return (
      <section className="screen" aria-label="Key detail" data-testid="screen-key-detail">
        {back}
        <p className="muted">Loading key…</p>
      </section>
    );
  }

  return (
    <section className="screen" aria-labelledby="key-title" data-testid="screen-key-detail" data-key-id={meta.KeyId}>
      {back}
      <header className="screen-header">
        <div className="key-title-block">
          <h1 id="key-title" tabIndex={-1}>
            {keyLabel(meta)}
          </h1>
          <p className="muted">{meta.Description || 'No description'}</p>
          <RotationWords keyMeta={meta} />
        </div>
        <div className="badges">
          <KeyStateBadge state={meta.KeyState} />
        </div>
      </header>

      {meta.KeyState === 'PendingImport' && meta.Origin === 'EXTERNAL' && (
        <div className="panel">
          <h2>Import key material</h2>
          <ImportMaterialPanel />
        </div>
      )}

      <div className="panel">
        <h2>Rotation</h2>
        <RotationTimeline versions={versions} nextRotation={meta.NextRotationDate} />
        <RotationPolicyEditor keyMeta={meta} />
      </div>

      <div className="panel" data-testid="versions-panel">
        <h2>Versions and their files</h2>
        <RetireVersions keyId={meta.KeyId} keyName={keyLabel(meta)} versions={versions} />
      </div>

      <div className="panel">
        <h2>Lifecycle</h2>
        <KeyLifecyclePanel keyMeta={meta} />
      </div>

      <div className="panel">
        <h2>Details</h2>
        <KeyFacts meta={meta} />
      </div>

      {meta.KeyState === 'Enabled' && (
        <div className="panel">
          <h2>Encrypt / decrypt text</h2>
          <TextCryptoPanel keyId={meta.KeyId} />
        </div>
      )}
    </section>
  );
}

/** The versions with their states and known files, wired to the retire store (issue 12). */
function RetireVersions({ keyId, keyName, versions }: { keyId: string; keyName: string; versions: KeyMetadataVersions }) {
  const counts = useRetireStore((s) => (s.countsFor === keyId ? s.fileCounts : NO_COUNTS));
  const busy = useRetireStore((s) => s.busy !== undefined);
  const run = useRetireStore((s) => (s.run?.keyId === keyId ? s.run : undefined));
  const result = useRetireStore((s) => (s.lastRun?.keyId === keyId ? s.lastRun.text : undefined));
  const { loadCounts, versionAction, bringUpToDate, cancelRun } = useRetireStore.getState();
  useEffect(() => {
    void loadCounts(keyId);
  }, [keyId, versions, loadCounts]);
  return (
    <VersionRetirePanel
      versions={versions}
      fileCounts={counts}
      busy={busy}
      {...(run ? { progress: { done: run.done, total: run.total, cancelling: run.cancelling } } : {})}
      {...(result ? { result } : {})}
      onAction={(versionId, action, days, force) => void versionAction(keyId, versionId, action, days, force)}
      onBringUpToDate={() => void bringUpToDate(keyId, keyName)}
      onCancelRun={() => void cancelRun()}
    />
  );
}

type KeyMetadataVersions = Parameters<typeof VersionRetirePanel>[0]['versions'];
const NO_COUNTS: Readonly<Record<string, number>> = {};

const COPYABLE = new Set(['Key ID', 'ARN', 'Primary version']);

function KeyFacts({ meta }: { meta: KeyMetadata }) {
  const facts: [string, string][] = [
    ['Name', meta.Aliases.length > 0 ? meta.Aliases.map((a) => a.replace(/^alias\//, '')).join(', ') : 'none'],
    ['Made by', meta.Origin === 'VAULT' ? 'Key Vault (generated here)' : 'You (imported material)'],
    ['Created', formatDateTime(meta.CreationDate)],
    ['Rotation interval', meta.AutomaticRotation === 'Disabled' ? 'off' : describeInterval(meta.RotationInterval)],
    ['Last rotation', formatDateTime(meta.LastRotationDate)],
    [
      'Next rotation',
      meta.NextRotationDate
        ? `${formatDateTime(meta.NextRotationDate)} (${nextRotationText(meta.NextRotationDate)})`
        : meta.AutomaticRotation === 'Suspended'
          ? 'paused while the key is not enabled'
          : 'none',
    ],
    ['Key ID', meta.KeyId],
    ['ARN', meta.Arn],
    ['Primary version', meta.PrimaryKeyVersion ?? '—'],
  ];
  return (
    <dl className="facts" data-testid="key-facts">
      {facts.map(([term, value]) => (
        <div key={term} className="fact">
          <dt>{term}</dt>
          <dd className={COPYABLE.has(term) ? 'mono fact-id' : undefined}>
            <span data-testid={`fact-${term.toLowerCase().replace(/\s+/g, '-')}`}>{value}</span>
            {COPYABLE.has(term) && value !== '—' && <CopyButton value={value} what={term === 'ARN' ? 'ARN' : term.toLowerCase()} />}
          </dd>
        </div>
      ))}
    </dl>
  );
}
