/** Navigation between the four screens, and the theme switch. */
import { useUiStore, type ScreenName, type ThemeChoice } from '../stores/uiStore';

/** Line icons drawn here (no icon font: a missing glyph would show as a box). */
const ICON_PATHS: Record<ScreenName | 'commands', string> = {
  keys: 'M14.5 9.5a4 4 0 1 0-3.9 3.1L4 19.2V21h3v-2h2v-2h2l1.6-1.6a4 4 0 0 0 1.9-5.9Z M15.5 7.5h.01',
  files: 'M7 3h7l5 5v13H7Z M14 3v5h5 M10 13h6 M10 17h6',
  activity: 'M4 12h4l2-6 4 12 2-6h4',
  settings: 'M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6Z M12 2v3 M12 19v3 M2 12h3 M19 12h3 M4.9 4.9 7 7 M17 17l2.1 2.1 M4.9 19.1 7 17 M17 7l2.1-2.1',
  commands: 'M4 6h16 M4 12h10 M4 18h7 M17 15l3 3-3 3',
};

function NavIcon({ name }: { name: keyof typeof ICON_PATHS }) {
  return (
    <svg className="nav-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path d={ICON_PATHS[name]} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

const SCREENS: { name: ScreenName; label: string }[] = [
  { name: 'keys', label: 'Keys' },
  { name: 'files', label: 'Files' },
  { name: 'activity', label: 'Activity' },
  { name: 'settings', label: 'Settings' },
];

export function Sidebar() {
  const screen = useUiStore((s) => s.screen);
  const navigate = useUiStore((s) => s.navigate);
  const openKey = useUiStore((s) => s.openKey);
  const setPaletteOpen = useUiStore((s) => s.setPaletteOpen);
  return (
    <aside className="sidebar">
      <div className="brand" aria-hidden="true">
        <span className="brand-mark">◆</span> <span className="nav-label">Key Vault</span>
      </div>
      <nav aria-label="Main">
        <ul className="nav-list">
          {SCREENS.map((s) => (
            <li key={s.name}>
              <button
                type="button"
                className={screen === s.name ? 'nav-item nav-item-current' : 'nav-item'}
                aria-current={screen === s.name ? 'page' : undefined}
                data-testid={`nav-${s.name}`}
                // Keys in the sidebar always means the list, also from a key's detail.
                onClick={() => (s.name === 'keys' ? openKey(undefined) : navigate(s.name))}
                title={s.label}
              >
                <NavIcon name={s.name} />
                <span className="nav-label">{s.label}</span>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <button
        type="button"
        className="nav-item palette-open"
        onClick={() => setPaletteOpen(true)}
        aria-keyshortcuts="Control+K"
        title="Commands (Ctrl+K)"
        data-testid="open-palette"
      >
        <NavIcon name="commands" />
        <span className="nav-label">
          Commands <kbd>Ctrl K</kbd>
        </span>
      </button>
      <ThemeToggle />
    </aside>
  );
}

const THEMES: { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

function ThemeToggle() {
  const theme = useUiStore((s) => s.theme);
  const setTheme = useUiStore((s) => s.setTheme);
  return (
    <fieldset className="theme-toggle">
      <legend>Theme</legend>
      {THEMES.map((t) => (
        <label key={t.value} className={theme === t.value ? 'segment segment-on' : 'segment'}>
          <input type="radio" name="theme" value={t.value} checked={theme === t.value} onChange={() => setTheme(t.value)} data-testid={`theme-${t.value}`} />
          {t.label}
        </label>
      ))}
    </fieldset>
  );
}
