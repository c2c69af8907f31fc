/** Navigation, theme, the error area and short notices. */
import { create } from 'zustand';
import { onVaultIntegrityFailure, toShownError, type ShownError } from '../bridge';

export type ScreenName = 'keys' | 'files' | 'activity' | 'settings';
export type ThemeChoice = 'system' | 'light' | 'dark';

export interface ErrorItem extends ShownError {
  id: number;
  /** What was being done, e.g. "Rotate key". */
  action: string;
}

export interface Notice {
  id: number;
  text: string;
}

interface UiState {
  screen: ScreenName;
  /** The key whose detail is open on the Keys screen. */
  openKeyId: string | undefined;
  theme: ThemeChoice;
  errors: ErrorItem[];
  notices: Notice[];
  /** The vault failed its integrity check: the whole window shows this, with its advice. */
  blocked: ShownError | undefined;
  /** The key whose detail was closed last: the list makes its row active again. */
  returnToKeyId: string | undefined;
  /** The Create key dialog (also opened by Ctrl+N and the palette). */
  creatingKey: boolean;
  paletteOpen: boolean;
  /** The recovery key dialog (from the warning, the checklist or the palette). */
  recoveryOpen: boolean;
  setCreatingKey(open: boolean): void;
  setPaletteOpen(open: boolean): void;
  setRecoveryOpen(open: boolean): void;
  navigate(screen: ScreenName): void;
  openKey(keyId: string | undefined): void;
  setTheme(theme: ThemeChoice): void;
  reportError(action: string, err: unknown): void;
  dismissError(id: number): void;
  notify(text: string): void;
  dismissNotice(id: number): void;
}

const THEME_STORAGE_KEY = 'keyvault.theme';
let nextId = 1;

function storedTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(THEME_STORAGE_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(theme: ThemeChoice): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export const useUiStore = create<UiState>()((set, get) => ({
  screen: 'keys',
  openKeyId: undefined,
  theme: storedTheme(),
  errors: [],
  notices: [],
  blocked: undefined,
  returnToKeyId: undefined,
  creatingKey: false,
  paletteOpen: false,
  recoveryOpen: false,
  setCreatingKey: (creatingKey) => set({ creatingKey }),
  setPaletteOpen: (paletteOpen) => set({ paletteOpen }),
  setRecoveryOpen: (recoveryOpen) => set({ recoveryOpen }),
  navigate: (screen) => set({ screen, openKeyId: screen === 'keys' ? get().openKeyId : undefined, returnToKeyId: undefined }),
  openKey: (keyId) => set({ screen: 'keys', openKeyId: keyId, returnToKeyId: keyId === undefined ? get().openKeyId : undefined }),
  setTheme: (theme) => {
    try {
      if (theme === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
      else localStorage.setItem(THEME_STORAGE_KEY, theme);
    } catch {
      // Storage may be unavailable (file:// in some shells); the choice still applies for this session.
    }
    applyTheme(theme);
    set({ theme });
  },
  reportError: (action, err) => {
    const shown = toShownError(err);
    // Not a toast: a vault that cannot be trusted blocks every screen until it is restored.
    if (shown.name === 'VaultIntegrityException') {
      set({ blocked: shown });
      return;
    }
    // Keep the newest few; an identical repeat replaces the older copy.
    const others = get().errors.filter((e) => !(e.action === action && e.name === shown.name && e.message === shown.message));
    set({ errors: [...others, { id: nextId++, action, ...shown }].slice(-5) });
  },
  dismissError: (id) => set({ errors: get().errors.filter((e) => e.id !== id) }),
  notify: (text) => {
    const id = nextId++;
    // The same words twice make one notice (the newer), and at most three stack up.
    set({ notices: [...get().notices.filter((n) => n.text !== text), { id, text }].slice(-3) });
    setTimeout(() => get().dismissNotice(id), 8000);
  },
  dismissNotice: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
}));

// Whatever call notices it (a list, a file job, an event handler), the whole window blocks.
onVaultIntegrityFailure((err) => useUiStore.setState({ blocked: toShownError(err) }));

/**
 * Runs a bridge call; on failure the error is shown (with its exception name) and undefined
 * returned. A confirmation the person declined in main is not an error: a short notice says so.
 */
export async function attempt<T>(action: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (toShownError(err).name === 'CancelledException') {
      useUiStore.getState().notify(`${action}: cancelled, nothing was changed.`);
      return undefined;
    }
    useUiStore.getState().reportError(action, err);
    return undefined;
  }
}
