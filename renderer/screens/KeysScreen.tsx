/** The keys list (searchable, windowed) or, when one is open, its detail. */
import { useDeferredValue, useMemo, useState } from 'react';
import type { KeyMetadata } from '../../preload/contract';
import { KeyRow } from '../components/KeyRow';
import { VirtualList } from '../components/VirtualList';
import { Checklist } from '../components/Checklist';
import { Welcome } from '../components/Welcome';
import { recoveryReady, useSetupStore } from '../stores/setupStore';
import { yourKeys } from '../format';
import { filterKeys, useKeysStore } from '../stores/keysStore';
import { useUiStore } from '../stores/uiStore';
import { KeyDetailScreen } from './KeyDetailScreen';

export const KEY_ROW_HEIGHT = 64;

/** Performance mark set once, after the first frame that shows key rows (read by bench/ui). */
export const KEYS_ROWS_PAINTED_MARK = 'keys-list-rows-painted';
let rowsPaintedMarked = false;
function markRowsPainted(): void {
  if (rowsPaintedMarked) return;
  rowsPaintedMarked = true;
  performance.mark(KEYS_ROWS_PAINTED_MARK);
}

export function KeysScreen() {
  const openKeyId = useUiStore((s) => s.openKeyId);
  return openKeyId ? <KeyDetailScreen keyId={openKeyId} /> : <KeyListScreen />;
}

function KeyListScreen() {
  const keys = useKeysStore((s) => s.keys);
  const loaded = useKeysStore((s) => s.loaded);
  const search = useKeysStore((s) => s.search);
  const setSearch = useKeysStore((s) => s.setSearch);
  // Read once: subscribing would re-render the whole screen on every scroll event.
  const [listScrollTop] = useState(() => useKeysStore.getState().listScrollTop);
  const setListScrollTop = useKeysStore((s) => s.setListScrollTop);
  const openKey = useUiStore((s) => s.openKey);
  const setCreating = useUiStore((s) => s.setCreatingKey);
  const returnToKeyId = useUiStore((s) => s.returnToKeyId);
  const noKeysOfYourOwn = loaded && yourKeys(keys).length === 0;
  const recovery = useSetupStore((s) => s.recovery);
  const backupSaved = useSetupStore((s) => s.backupSaved);
  const stepsLeft = (recovery !== undefined && !recoveryReady(recovery) ? 1 : 0) + (backupSaved ? 0 : 1);
  // Typing stays responsive with many keys: filtering follows the text at lower priority.
  const deferredSearch = useDeferredValue(search);
  const visible = useMemo(() => filterKeys(keys, deferredSearch), [keys, deferredSearch]);
  // "Now" for the day counts, refreshed whenever the keys are reloaded.
  const now = useMemo(() => (keys.length >= 0 ? Date.now() : 0), [keys]);

  return (
    <section className="screen" aria-labelledby="keys-title" data-testid="screen-keys">
      <header className="screen-header">
        <h1 id="keys-title" tabIndex={-1}>
          Keys
        </h1>
        <div className="screen-tools">
          <input
            type="search"
            className="search"
            placeholder="Search keys (Ctrl+F)"
            title="Search by name, description or id"
            aria-label="Search keys"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            data-testid="key-search"
          />
          <button type="button" className="button button-primary" onClick={() => setCreating(true)} data-testid="create-key">
            Create key
          </button>
        </div>
      </header>
      <p className="muted list-count" aria-live="polite" data-testid="key-count">
        {!loaded
          ? 'Loading keys…'
          : noKeysOfYourOwn
            ? 'No keys yet'
            : search.trim() === ''
              ? `${keys.length} key${keys.length === 1 ? '' : 's'}`
              : `${visible.length} of ${keys.length} keys match`}
      </p>
      {!noKeysOfYourOwn && loaded && recovery !== undefined && stepsLeft > 0 && (
        <details className="checklist-compact" data-testid="checklist-compact">
          <summary>Getting started: {stepsLeft} of 3 steps left</summary>
          <Checklist hasKeys />
        </details>
      )}
      {noKeysOfYourOwn && search.trim() === '' ? (
        <Welcome />
      ) : (
        <VirtualList<KeyMetadata>
          items={visible}
          rowHeight={KEY_ROW_HEIGHT}
          overscan={8}
          label="Keys"
          testId="key-list"
          itemKey={(k) => k.KeyId}
          renderRow={(k) => <KeyRow keyMeta={k} now={now} />}
          onActivate={(k) => openKey(k.KeyId)}
          initialScrollTop={listScrollTop}
          onScrollTopChange={setListScrollTop}
          onRowsPainted={markRowsPainted}
          returnToKey={returnToKeyId}
        />
      )}
    </section>
  );
}
