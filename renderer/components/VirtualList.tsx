/**
 * A windowed list with a fixed row height: only the rows in view (plus a few above and below) are
 * in the DOM, so ten thousand items cost the same as twenty. It is an ARIA listbox: the list takes
 * focus, arrow keys / Page Up / Page Down / Home / End move the active row, Enter opens it.
 */
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  /** Rows rendered beyond each edge of the viewport. */
  overscan?: number;
  label: string;
  testId?: string;
  itemKey(item: T): string;
  renderRow(item: T, index: number): ReactNode;
  onActivate(item: T, index: number): void;
  initialScrollTop?: number;
  onScrollTopChange?(scrollTop: number): void;
  /** Called once after the first frame that shows rows. */
  onRowsPainted?(): void;
  /** The row made active (and the list focused) on mount, e.g. the key the person came back from. */
  returnToKey?: string | undefined;
}

export function VirtualList<T>(props: VirtualListProps<T>) {
  const { items, rowHeight, overscan = 6, label, testId, itemKey, renderRow, onActivate, initialScrollTop = 0 } = props;
  const viewportRef = useRef<HTMLDivElement>(null);
  const [firstVisible, setFirstVisible] = useState(() => Math.floor(initialScrollTop / rowHeight));
  const [viewportHeight, setViewportHeight] = useState(0);
  const [activeIndex, setActiveIndex] = useState(() => (props.returnToKey === undefined ? -1 : items.findIndex((it) => itemKey(it) === props.returnToKey)));
  const idBase = useId();
  const onScrollTopChange = props.onScrollTopChange;
  const onRowsPainted = props.onRowsPainted;
  const paintedRef = useRef(false);

  useLayoutEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    if (initialScrollTop > 0) el.scrollTop = initialScrollTop;
    setViewportHeight(el.clientHeight);
    if (props.returnToKey !== undefined && activeIndex >= 0) el.focus();
    const observer = new ResizeObserver(() => setViewportHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
    // The initial offset applies once, on mount.
  }, []);

  // Keep the active row inside the list when the items change (e.g. a search narrows them).
  useEffect(() => {
    if (activeIndex >= items.length) setActiveIndex(items.length - 1);
  }, [items.length, activeIndex]);

  const visibleCount = Math.max(1, Math.ceil(viewportHeight / rowHeight));
  const start = Math.max(0, firstVisible - overscan);
  const end = Math.min(items.length, firstVisible + visibleCount + overscan);

  useEffect(() => {
    if (paintedRef.current || !onRowsPainted || end <= start) return;
    paintedRef.current = true;
    // After the next frame has been produced: requestAnimationFrame runs before paint, the task after it runs after.
    requestAnimationFrame(() => setTimeout(onRowsPainted, 0));
  }, [start, end, onRowsPainted]);

  const onScroll = useCallback(() => {
    const el = viewportRef.current;
    if (!el) return;
    setFirstVisible(Math.floor(el.scrollTop / rowHeight));
    onScrollTopChange?.(el.scrollTop);
  }, [rowHeight, onScrollTopChange]);

  const moveTo = (index: number) => {
    const el = viewportRef.current;
    if (!el || items.length === 0) return;
    const i = Math.max(0, Math.min(items.length - 1, index));
    setActiveIndex(i);
    const top = i * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, visibleCount - 1);
    const current = activeIndex < 0 ? firstVisible - 1 : activeIndex;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        moveTo(current + 1);
        break;
      case 'ArrowUp':
        moveTo(current - 1);
        break;
      case 'PageDown':
        moveTo(current + page);
        break;
      case 'PageUp':
        moveTo(current - page);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(items.length - 1);
        break;
      case 'Enter':
      case ' ': {
        const item = items[activeIndex];
        if (item !== undefined) onActivate(item, activeIndex);
        else handled = false;
        break;
      }
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    const item = items[i] as T;
    rows.push(
      <div
        key={itemKey(item)}
        id={`${idBase}-row-${i}`}
        role="option"
        aria-selected={i === activeIndex}
        aria-posinset={i + 1}
        aria-setsize={items.length}
        className={i === activeIndex ? 'vlist-row vlist-row-active' : 'vlist-row'}
        style={{ transform: `translateY(${i * rowHeight}px)`, height: rowHeight }}
        onClick={() => {
          setActiveIndex(i);
          onActivate(item, i);
        }}
      >
        {renderRow(item, i)}
      </div>,
    );
  }

  return (
    <div
      ref={viewportRef}
      className="vlist"
      role="listbox"
      aria-label={label}
      aria-activedescendant={activeIndex >= start && activeIndex < end ? `${idBase}-row-${activeIndex}` : undefined}
      tabIndex={0}
      data-testid={testId}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
      // Entering the list makes a row active at once, so Enter opens something visible.
      onFocus={(e) => {
        if (e.target === e.currentTarget && activeIndex < 0 && items.length > 0) setActiveIndex(Math.min(items.length - 1, firstVisible));
      }}
    >
      <div className="vlist-spacer" style={{ height: items.length * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
