/** The window: sidebar, the current screen, the message area; wires bridge events to the stores. */
import { useEffect, type JSX } from 'react';
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
import { useSettingsStore } from './stores/settingsStore';
import { useUiStore, type ScreenName } from './stores/uiStore';

/** Reloads whatever is on screen; bursts of change events collapse into one reload. */
function refreshVisibleData(): void {
  const { screen, openKeyId } = useUiStore.getState();
  void useKeysStore.getState().load();
  if (screen === 'keys' && openKeyId) void useKeyDetailStore.getState().refresh();
  if (screen === 'activity') void useActivityStore.getState().load();
  if (screen === 'settings') void useSettingsStore.getState().load();
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
        // The OS opened files with the app (double-click, "Open with"): take them to the Files screen.
        bridge.on('filesOpened', () => void useOpenedFilesStore.getState().take()),
        bridge.on('rotation', async (e) => {
          // A key created a moment ago may not be in the list yet: load it so the notice can name it.
          if (!useKeysStore.getState().keys.some((k) => k.KeyId === e.KeyId)) await useKeysStore.getState().load();
          const key = useKeysStore.getState().keys.find((k) => k.KeyId === e.KeyId);
          const name = key ? keyLabel(key) : e.KeyId.slice(0, 8);
          const how = e.RotationType === 'AUTOMATIC' ? 'rotated automatically' : e.RotationType === 'ON_DEMAND' ? 'rotated' : 'changed';
          useUiStore.getState().notify(`Key “${name}” ${how}; new primary version ${e.KeyVersionId.slice(0, 8)}…`);
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
      await useKeysStore.getState().load();
      // Files the app was started with (or opened with while this page loaded).
      await useOpenedFilesStore.getState().take();
      if (!cancelled) document.body.dataset.ready = 'true';
    })();
    return () => {
      cancelled = true;
    };
  }, []);
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
  useBridgeEvents();
  useFirstLoad();
  if (blocked) return <IntegrityBlocked error={blocked} />;
  const Screen = SCREENS[screen];
  return (
    <div className="app">
      <Sidebar />
      <main className="main" data-screen={screen}>
        <MessageArea />
        <ScreenErrorBoundary resetKey={`${screen}:${openKeyId ?? ''}`}>
          <Screen />
        </ScreenErrorBoundary>
      </main>
    </div>
  );
}
