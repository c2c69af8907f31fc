/** The window: sidebar, the current screen, the message area; wires bridge events to the stores. */
import { useEffect, type JSX } from 'react';
import type { KeyMetadata } from '../preload/contract';
import { CommandPalette, focusSearchSoon } from './components/CommandPalette';
import { CreateKeyDialog } from './components/CreateKeyDialog';
import { RecoveryKeyDialog } from './components/RecoveryKeyPanel';
import { RecoveryWarning } from './components/RecoveryWarning';
import { ClockNotice } from './components/ClockNotice';
import { CLOCK_RECHECK_MS, useClockStore } from './stores/clockStore';
import { useSetupStore } from './stores/setupStore';
import { vault } from './bridge';
import { MessageArea } from './components/MessageArea';
import { IntegrityBlocked } from './components/IntegrityBlocked';
import { ScreenErrorBoundary } from './components/ScreenErrorBoundary';
import { Sidebar } from './components/Sidebar';
import { keyLabel } from './format';
import { ActivityScreen } from './screens/ActivityScreen';
import { FilesScreen } from './screens/FilesScreen';
import { KeysScreen } from './screens/KeysScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { useActivityStore } from './stores/activityStore';
import { useFilesStore } from './stores/filesStore';
import { useKeyDetailStore } from './stores/keyDetailStore';
import { useKeysStore } from './stores/keysStore';
import { useOpenedFilesStore } from './stores/openedFilesStore';
import { useRetireStore } from './stores/retireStore';
import { useSettingsStore } from './stores/settingsStore';
import { useUiStore, type ScreenName } from './stores/uiStore';

/** Reloads whatever is on screen; bursts of change events collapse into one reload. */
function refreshVisibleData(): void {
  const { screen, openKeyId } = useUiStore.getState();
  void useKeysStore.getState().load();
  if (screen === 'keys' && openKeyId) void useKeyDetailStore.getState().refresh();
  // Known files per version and the inventory change with every file job and scan.
  if (screen === 'keys' && openKeyId && !useRetireStore.getState().run) void useRetireStore.getState().loadCounts(openKeyId);
  if (screen === 'files' && useRetireStore.getState().inventoryLoaded) void useRetireStore.getState().loadInventory();
  if (screen === 'activity') void useActivityStore.getState().load();
  if (screen === 'settings') void useSettingsStore.getState().load();
  void useSetupStore.getState().load();
  void useClockStore.getState().load();
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleRefresh(): void {
  if (refreshTimer !== undefined) clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    refreshVisibleData();
  }, 120);
}

function useBridgeEvents(): void {
  useEffect(() => {
    let offs: (() => void)[] = [];
    try {
      const bridge = vault();
      offs = [
        bridge.on('fileProgress', (e) => useFilesStore.getState().progress(e.JobId, e.BytesDone, e.BytesTotal)),
        bridge.on('vaultChanged', () => scheduleRefresh()),
        bridge.on('filesProgress', (e) => useRetireStore.getState().progress(e.JobId, e.FilesDone, e.FilesTotal)),
        // The OS opened files with the app (double-click, "Open with"): take them to the Files screen.
        bridge.on('filesOpened', () => void useOpenedFilesStore.getState().take()),
        bridge.on('rotation', async (e) => {
          // A key created a moment ago may not be in the list yet: load it so the notice can name it.
          if (!useKeysStore.getState().keys.some((k) => k.KeyId === e.KeyId)) await useKeysStore.getState().load();
          const key = useKeysStore.getState().keys.find((k) => k.KeyId === e.KeyId);
          const name = key ? keyLabel(key) : e.KeyId.slice(0, 8);
          const how = e.RotationType === 'AUTOMATIC' ? 'rotated automatically' : e.RotationType === 'ON_DEMAND' ? 'rotated' : 'changed';
          useUiStore.getState().notify(`Key “${name}” ${how}: new data now uses its newest version; older files still open.`);
          scheduleRefresh();
        }),
      ];
    } catch (err) {
      useUiStore.getState().reportError('Listen for vault events', err);
    }
    return () => offs.forEach((off) => off());
  }, []);
}

function useFirstLoad(): void {
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      await Promise.all([useKeysStore.getState().load(), useSetupStore.getState().load(), useClockStore.getState().load()]);
      // Files the app was started with (or opened with while this page loaded).
      await useOpenedFilesStore.getState().take();
      if (!cancelled) document.body.dataset.ready = 'true';
    })();
    // A clock can jump while the window is open (and then nothing changes to say so).
    const recheck = setInterval(() => void useClockStore.getState().load(), CLOCK_RECHECK_MS);
    return () => {
      cancelled = true;
      clearInterval(recheck);
    };
  }, []);
}

/** Whether a modal (native <dialog>) is open: it handles its own keys, Escape included. */
function modalOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}

/** Escape goes back, Ctrl+F searches keys, Ctrl+N makes a key, Ctrl+K opens the command palette. */
function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ui = useUiStore.getState();
      const ctrl = e.ctrlKey || e.metaKey;
      if (ctrl && !e.altKey && !e.shiftKey && ['k', 'f', 'n'].includes(e.key.toLowerCase())) {
        if (ui.blocked) return;
        e.preventDefault();
        const key = e.key.toLowerCase();
        if (key === 'k') ui.setPaletteOpen(!ui.paletteOpen);
        else if (modalOpen()) return;
        else if (key === 'f') {
          ui.openKey(undefined);
          focusSearchSoon();
        } else {
          ui.navigate('keys');
          ui.setCreatingKey(true);
        }
        return;
      }
      if (e.key === 'Escape' && !e.defaultPrevented && !modalOpen() && !ui.blocked) {
        const target = e.target as HTMLElement | null;
        // In the search box Escape first clears it (the browser's own behaviour).
        if (target?.matches('input[type="search"]') && (target as HTMLInputElement).value !== '') return;
        if (ui.openKeyId) ui.openKey(undefined);
        else if (ui.screen !== 'keys') ui.navigate('keys');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** After navigation, focus moves to the new screen's heading (screen readers announce it). */
function useFocusHeading(screen: ScreenName, openKeyId: string | undefined): void {
  useEffect(() => {
    // The list takes focus itself when coming back from a key (its row is active again).
    if (screen === 'keys' && !openKeyId && useUiStore.getState().returnToKeyId) return;
    const frame = requestAnimationFrame(() => {
      if (modalOpen()) return;
      const heading = document.querySelector<HTMLElement>('main h1');
      if (!heading) return;
      // Focusable by script only (not a Tab stop).
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(frame);
  }, [screen, openKeyId]);
}

const SCREENS: Record<ScreenName, () => JSX.Element> = {
  keys: KeysScreen,
  files: FilesScreen,
  activity: ActivityScreen,
  settings: SettingsScreen,
};

export function App() {
  const screen = useUiStore((s) => s.screen);
  const openKeyId = useUiStore((s) => s.openKeyId);
  const blocked = useUiStore((s) => s.blocked);
  const creatingKey = useUiStore((s) => s.creatingKey);
  useBridgeEvents();
  useFirstLoad();
  useShortcuts();
  useFocusHeading(screen, openKeyId);
  if (blocked) return <IntegrityBlocked error={blocked} />;
  const Screen = SCREENS[screen];
  return (
    <div className="app">
      <Sidebar />
      <main className="main" data-screen={screen}>
        <RecoveryWarning />
        <ClockNotice />
        <ScreenErrorBoundary resetKey={`${screen}:${openKeyId ?? ''}`}>
          <Screen />
        </ScreenErrorBoundary>
      </main>
      <MessageArea />
      <CreateKeyDialog open={creatingKey} onClose={keyCreated} />
      <RecoveryKeyDialog />
      <CommandPalette />
    </div>
  );
}

function keyCreated(created?: KeyMetadata): void {
  useUiStore.getState().setCreatingKey(false);
  if (created) useUiStore.getState().notify(`Key created: ${keyLabel(created)}.`);
}
