/** Ctrl+K: type to find a screen, an action or a key by name; arrows choose, Enter runs, Escape closes. */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { keyLabel } from '../format';
import { useKeysStore } from '../stores/keysStore';
import { useUiStore } from '../stores/uiStore';

interface Command {
  id: string;
  label: string;
  hint: string;
  run(): void;
}

function useCommands(): Command[] {
  const keys = useKeysStore((s) => s.keys);
  return useMemo(() => {
    const ui = useUiStore.getState();
    const base: Command[] = [
      {
        id: 'new-key',
        label: 'New key',
        hint: 'Ctrl+N',
        run: () => {
          ui.navigate('keys');
          ui.setCreatingKey(true);
        },
      },
      {
        id: 'search',
        label: 'Search keys',
        hint: 'Ctrl+F',
        run: () => {
          ui.openKey(undefined);
          focusSearchSoon();
        },
      },
      { id: 'recovery', label: 'Set up the recovery key', hint: 'Recovery', run: () => ui.setRecoveryOpen(true) },
      { id: 'go-keys', label: 'Go to Keys', hint: 'Screen', run: () => ui.openKey(undefined) },
      { id: 'go-files', label: 'Go to Files', hint: 'Screen', run: () => ui.navigate('files') },
      { id: 'go-activity', label: 'Go to Activity', hint: 'Screen', run: () => ui.navigate('activity') },
      { id: 'go-settings', label: 'Go to Settings (backup, recovery)', hint: 'Screen', run: () => ui.navigate('settings') },
    ];
    const open = keys.map((k) => ({ id: `key-${k.KeyId}`, label: `Open key ${keyLabel(k)}`, hint: k.Description || 'Key', run: () => ui.openKey(k.KeyId) }));
    return [...base, ...open];
  }, [keys]);
}

/** The search box exists once the list has rendered. */
export function focusSearchSoon(): void {
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLInputElement>('[data-testid="key-search"]');
    el?.focus();
    el?.select();
  });
}

export function CommandPalette() {
  const open = useUiStore((s) => s.paletteOpen);
  const setOpen = useUiStore((s) => s.setPaletteOpen);
  const ref = useRef<HTMLDialogElement>(null);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const commands = useCommands();
  const q = query.trim().toLowerCase();
  const shown = q === '' ? commands.slice(0, 12) : commands.filter((c) => c.label.toLowerCase().includes(q) || c.hint.toLowerCase().includes(q)).slice(0, 12);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setQuery('');
      setActive(0);
      dialog.showModal();
    } else if (!open && dialog.open) dialog.close();
  }, [open]);

  const run = (c: Command | undefined) => {
    if (!c) return;
    setOpen(false);
    c.run();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') setActive((i) => Math.min(shown.length - 1, i + 1));
    else if (e.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
    else if (e.key === 'Enter') run(shown[active]);
    else return;
    e.preventDefault();
  };

  return (
    <dialog ref={ref} className="dialog palette" aria-label="Command palette" onClose={() => setOpen(false)} data-testid="command-palette">
      {open && (
        <>
          <input
            type="text"
            className="palette-input"
            placeholder="Type a command or a key name"
            aria-label="Command"
            role="combobox"
            aria-expanded="true"
            aria-controls="palette-list"
            aria-activedescendant={shown[active] ? `palette-${shown[active].id}` : undefined}
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setActive(0);
            }}
            onKeyDown={onKeyDown}
            data-testid="palette-input"
          />
          <ul id="palette-list" role="listbox" aria-label="Commands" className="palette-list">
            {shown.length === 0 && <li className="muted palette-empty">Nothing matches.</li>}
            {shown.map((c, i) => (
              <li
                key={c.id}
                id={`palette-${c.id}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'palette-item palette-item-active' : 'palette-item'}
                onMouseEnter={() => setActive(i)}
                onClick={() => run(c)}
                data-testid="palette-item"
              >
                <span>{c.label}</span>
                <span className="muted palette-hint">{c.hint}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </dialog>
  );
}
