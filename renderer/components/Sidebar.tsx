/** Navigation between the four screens, and the theme switch. */
import { useUiStore, type ScreenName, type ThemeChoice } from '../stores/uiStore';

const SCREENS: { name: ScreenName; label: string; icon: string }[] = [
  { name: 'keys', label: 'Keys', icon: '⚿' },
  { name: 'files', label: 'Files', icon: '▤' },
  { name: 'activity', label: 'Activity', icon: '☰' },
  { name: 'settings', label: 'Settings', icon: '⚙' },
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
                <span className="nav-icon" aria-hidden="true">{s.icon}</span>
                <span className="nav-label">{s.label}</span>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <button type="button" className="nav-item palette-open" onClick={() => setPaletteOpen(true)} aria-keyshortcuts="Control+K" title="Commands (Ctrl+K)" data-testid="open-palette">
        <span className="nav-icon" aria-hidden="true">⌘</span>
        <span className="nav-label">Commands <kbd>Ctrl K</kbd></span>
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
          <input
            type="radio"
            name="theme"
            value={t.value}
            checked={theme === t.value}
            onChange={() => setTheme(t.value)}
            data-testid={`theme-${t.value}`}
          />
          {t.label}
        </label>
      ))}
    </fieldset>
  );
}
