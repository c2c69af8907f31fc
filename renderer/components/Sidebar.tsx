/** Navigation between the four screens, and the theme switch. */
import { useUiStore, type ScreenName, type ThemeChoice } from '../stores/uiStore';

const SCREENS: { name: ScreenName; label: string }[] = [
  { name: 'keys', label: 'Keys' },
  { name: 'files', label: 'Files' },
  { name: 'activity', label: 'Activity' },
  { name: 'settings', label: 'Settings' },
];

export function Sidebar() {
  const screen = useUiStore((s) => s.screen);
  const navigate = useUiStore((s) => s.navigate);
  return (
    <aside className="sidebar">
      <div className="brand" aria-hidden="true">
        <span className="brand-mark">◆</span> Key Vault
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
                onClick={() => navigate(s.name)}
              >
                {s.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
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
