/** The retire components render what the state allows (server-rendered markup, no browser). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as React from 'react';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { KeyVersionEntry } from '../../../preload/contract';
import { VersionRetirePanel } from '../../../renderer/components/VersionRetirePanel';
import { FileInventoryTable } from '../../../renderer/components/FileInventoryTable';

// tsx compiles the components with the root tsconfig's classic JSX transform (React.createElement);
// the renderer build uses the automatic one. Give the classic transform its React.
(globalThis as { React?: unknown }).React = React;

const v = (id: string, state: KeyVersionEntry['KeyVersionState'], day: number, primary = false): KeyVersionEntry => ({
  KeyId: 'k',
  KeyVersionId: id,
  CreationDate: `2026-01-0${day}T00:00:00.000Z`,
  RotationType: 'ON_DEMAND',
  IsPrimary: primary,
  KeyVersionState: state,
  ...(state === 'Destroyed' ? { DestroyedDate: '2026-02-01T00:00:00.000Z' } : {}),
});

const rowsOf = (html: string): string[] =>
  html
    .split('data-testid="version-row"')
    .slice(1)
    .map((r) => r.slice(0, r.indexOf('</tr>')));
/** The version actions in a row (the Copy id button is not one). */
const actionsIn = (row: string): string[] => [...row.matchAll(/data-testid="version-(disable|enable|schedule|cancel)"/g)].map((m) => m[1]!);

test('each version shows its state, its file count and only the actions its state allows', () => {
  const html = renderToStaticMarkup(
    createElement(VersionRetirePanel, {
      versions: [v('old', 'Destroyed', 1), v('mid', 'Disabled', 2), v('prev', 'Enabled', 3), v('cur', 'Enabled', 4, true)],
      fileCounts: { prev: 2, mid: 1, cur: 5 },
      busy: false,
      onAction: () => undefined,
      onBringUpToDate: () => undefined,
    }),
  );
  const [cur, prev, mid, old] = rowsOf(html);
  assert.ok(cur!.includes('Current'));
  assert.deepEqual(actionsIn(cur!), [], 'the primary version has no actions');
  assert.deepEqual(actionsIn(prev!), ['disable', 'schedule']);
  assert.deepEqual(actionsIn(mid!), ['enable', 'schedule']);
  assert.ok(mid!.includes('Disabled'));
  assert.ok(old!.includes('Destroyed on'));
  assert.deepEqual(actionsIn(old!), [], 'a destroyed version has no actions');
  assert.match(html, /Bring 3 files up to date/);
});

test('the inventory marks old versions and can show only missing or changed files', () => {
  const file = (path: string, status: 'Present' | 'Missing' | 'Changed', current: boolean) => ({
    Path: path,
    KeyId: 'k',
    KeyVersionId: 'v',
    IsPrimaryVersion: current,
    Size: 10,
    LastSeenDate: '2026-01-01T00:00:00.000Z',
    Status: status,
  });
  const files = [file('/a.age', 'Present', true), file('/b.age', 'Missing', false)];
  const props = { files, keys: [{ id: 'k', name: 'tax-returns' }], busy: false, onFilters: () => undefined, onScanFolder: () => undefined };
  const all = renderToStaticMarkup(createElement(FileInventoryTable, { ...props, filters: { staleOnly: false, missingOnly: false } }));
  assert.equal(all.split('data-testid="inventory-row"').length - 1, 2);
  assert.match(all, /Old version/);
  const missing = renderToStaticMarkup(createElement(FileInventoryTable, { ...props, filters: { staleOnly: false, missingOnly: true } }));
  assert.equal(missing.split('data-testid="inventory-row"').length - 1, 1);
  assert.match(missing, /b\.age/);
  assert.match(all, /tax-returns/, 'the key is named by its alias');
});

test("a pending version offers only Cancel; progress replaces the button's result while running", () => {
  const html = renderToStaticMarkup(
    createElement(VersionRetirePanel, {
      versions: [{ ...v('prev', 'PendingDestruction', 3), DestructionDate: '2026-02-01T00:00:00.000Z' }, v('cur', 'Enabled', 4, true)],
      fileCounts: { prev: 2 },
      busy: false,
      progress: { done: 1, total: 2 },
      result: 'old result',
      onAction: () => undefined,
      onBringUpToDate: () => undefined,
      onCancelRun: () => undefined,
    }),
  );
  const [, prev] = rowsOf(html);
  assert.deepEqual(actionsIn(prev!), ['cancel']);
  assert.match(prev!, /Destroyed on 1 Feb( 2026)? unless cancelled/);
  assert.match(html, /1 of 2 files/);
  assert.match(html, /data-testid="bring-cancel"/);
  assert.doesNotMatch(html, /old result/);
});

test('the rotation timeline marks destroyed versions (crossed out, named in the title and the legend)', async () => {
  const { RotationTimeline } = await import('../../../renderer/components/RotationTimeline');
  const destroyed = { ...v('old', 'Destroyed', 1), CreationDate: '2026-01-01T00:00:00.000Z' };
  const html = renderToStaticMarkup(
    createElement(RotationTimeline, {
      versions: [destroyed, { ...v('cur', 'Enabled', 9, true), CreationDate: '2026-03-01T00:00:00.000Z' }],
      now: Date.parse('2026-04-01T00:00:00.000Z'),
    }),
  );
  assert.match(html, /timeline-dot-destroyed/);
  assert.equal(html.split('timeline-cross').length - 1, 2, 'one cross on the dot, one in the legend');
  assert.match(html, /\(destroyed\)<\/title>/);
  assert.match(html, /2 versions \(1 destroyed\)/);
  // Versions too close to tell apart share a dot: its label still counts the destroyed ones.
  const sameDay = renderToStaticMarkup(
    createElement(RotationTimeline, { versions: [v('a', 'Destroyed', 1), v('b', 'Enabled', 1, true)], now: Date.parse('2026-01-01T00:00:00.000Z') }),
  );
  assert.match(sameDay, /2 versions, 1 destroyed/);
  const none = renderToStaticMarkup(createElement(RotationTimeline, { versions: [v('cur', 'Enabled', 4, true)] }));
  assert.doesNotMatch(none, /timeline-dot-destroyed|destroyed version/);
});
