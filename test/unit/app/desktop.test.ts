/** The desktop around the window, as pure logic: argv parsing, the opened-files inbox, notices, the tray menu. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import type { KeyMetadata } from '../../../main/core/api.js';
import { FileTokenRegistry } from '../../../main/app/fileTokens.js';
import { createVaultBridge } from '../../../preload/bridgeFactory.js';
import { backupReminder, createDesktopNotifier, deletionNotices, keyName, rotationNotice, type DesktopNotice } from '../../../main/app/notifications.js';
import { MAX_PENDING_OPENED_FILES, OpenedFilesInbox, filePathsFromArgv, takeOpenedFiles } from '../../../main/app/openWith.js';
import { EventEmitter } from 'node:events';
import { createAppTray, nextRotationLine, rotateDueKeysNow, trayMenuModel, type TrayMenuItem } from '../../../main/app/tray.js';

const DAY = 86_400_000;
const NOW = new Date('2026-11-30T12:00:00Z');
const iso = (offsetDays: number): string => new Date(NOW.getTime() + offsetDays * DAY).toISOString();

function key(over: Partial<KeyMetadata>): KeyMetadata {
  return {
    KeyId: '5671e77a-0000-4000-8000-000000000001',
    Arn: 'arn:keyvault:local:key/5671e77a-0000-4000-8000-000000000001',
    Description: '',
    KeyState: 'Enabled',
    Enabled: true,
    Origin: 'VAULT',
    KeyManager: 'CUSTOMER',
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    CreationDate: iso(-100),
    AutomaticRotation: 'Disabled',
    Aliases: [],
    ...over,
  } as KeyMetadata;
}

describe('filePathsFromArgv', () => {
  it('skips the executable (and the entry script unpackaged), switches and URLs; resolves relative paths', () => {
    assert.deepEqual(filePathsFromArgv(['/opt/Key Vault/keyvault', '--no-sandbox', 'a.age', '/tmp/b.age'], { isPackaged: true, cwd: '/home/me' }), [
      resolve('/home/me/a.age'),
      '/tmp/b.age',
    ]);
    assert.deepEqual(filePathsFromArgv(['/usr/bin/electron', '/src/app', 'http://localhost:5173/', 'c.age'], { isPackaged: false, cwd: '/w' }), [
      resolve('/w/c.age'),
    ]);
  });

  it('after `--`, a name starting with a dash is a file', () => {
    assert.deepEqual(filePathsFromArgv(['kv', '--', '-odd.age'], { isPackaged: true, cwd: '/w' }), [resolve('/w/-odd.age')]);
  });
});

describe('the bridge and opened files', () => {
  it('window.vault.on("filesOpened") listens on its own channel and hands the page only the payload', () => {
    const subscribed: string[] = [];
    let deliver: (payload: unknown) => void = () => undefined;
    const bridge = createVaultBridge(
      async () => ({ ok: true, value: null }),
      (channel, listener) => {
        subscribed.push(channel);
        deliver = listener;
        return () => undefined;
      },
      async () => [],
    );
    const got: unknown[] = [];
    bridge.on('filesOpened', (p) => got.push(p.Count));
    deliver({ Count: 2 });
    assert.deepEqual(subscribed, ['vault-event:filesOpened']);
    assert.deepEqual(got, [2]);
    assert.equal(typeof bridge.takeOpenedFiles, 'function');
  });
});

describe('opened files inbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyvault-openwith-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('tells listeners how many wait, ignores a path already waiting, and is empty once taken', () => {
    const inbox = new OpenedFilesInbox();
    const counts: number[] = [];
    inbox.onArrive((n) => counts.push(n));
    inbox.add(['/a.age', '/b.age']);
    inbox.add(['/a.age']);
    assert.deepEqual(counts, [2]);
    assert.deepEqual(inbox.take(), ['/a.age', '/b.age']);
    assert.equal(inbox.size, 0);
  });

  it('holds at most MAX_PENDING_OPENED_FILES paths', () => {
    const inbox = new OpenedFilesInbox();
    inbox.add(Array.from({ length: MAX_PENDING_OPENED_FILES + 10 }, (_, i) => `/f${i}.age`));
    assert.equal(inbox.size, MAX_PENDING_OPENED_FILES);
  });

  it('issues tokens to the window that takes them; a link or a missing file is skipped with a reason', async () => {
    const real = join(dir, 'real.age');
    writeFileSync(real, 'x');
    const link = join(dir, 'link.age');
    symlinkSync(real, link);
    const inbox = new OpenedFilesInbox();
    inbox.add([real, link, join(dir, 'gone.age')]);
    const tokens = new FileTokenRegistry();
    const { Files, Skipped } = await takeOpenedFiles(inbox, tokens, 'contents:7');
    assert.deepEqual(
      Files.map((f) => f.Name),
      ['real.age'],
    );
    assert.equal(tokens.resolve('contents:7', Files[0]!.FileToken), real);
    assert.throws(() => tokens.resolve('contents:8', Files[0]!.FileToken), /no longer knows/);
    assert.deepEqual(
      Skipped.map((s) => s.Name),
      ['link.age', 'gone.age'],
    );
    assert.match(Skipped[0]!.Reason, /is a link/);
  });
});

describe('desktop notices', () => {
  it('name keys by alias, then description, then a short id', () => {
    assert.equal(keyName(key({ Aliases: ['alias/tax-returns'] })), 'tax-returns');
    assert.equal(keyName(key({ Description: 'Photos' })), 'Photos');
    assert.equal(keyName(key({})), 'key 5671e77a');
  });

  it('an automatic rotation is notified by name; an on-demand one is not', () => {
    const event = { KeyId: key({}).KeyId, KeyVersionId: 'v2', RotationType: 'AUTOMATIC' as const, RotationDate: iso(0) };
    assert.match(rotationNotice(event, key({ Aliases: ['alias/mail'] }))!.body, /^“mail” was rotated on schedule/);
    assert.equal(rotationNotice({ ...event, RotationType: 'ON_DEMAND' }, undefined), null);
  });

  it('warns of deletions within 3 days only', () => {
    const keys = [
      key({ KeyId: 'k1', Aliases: ['alias/soon'], KeyState: 'PendingDeletion', DeletionDate: iso(2) }),
      key({ KeyId: 'k2', Aliases: ['alias/later'], KeyState: 'PendingDeletion', DeletionDate: iso(5) }),
      key({ KeyId: 'k3', Aliases: ['alias/tomorrow'], KeyState: 'PendingDeletion', DeletionDate: iso(0.5) }),
    ];
    const notices = deletionNotices(keys, NOW);
    assert.deepEqual(
      notices.map((n) => n.body.match(/“([^”]+)” will be deleted (in \d+ days|tomorrow|today)/)?.slice(1)),
      [
        ['soon', 'in 2 days'],
        ['tomorrow', 'tomorrow'],
      ],
    );
  });

  it('reminds of a backup older than 30 days, or none in a vault older than that with keys', () => {
    assert.equal(backupReminder({ lastBackupDate: iso(-29), vaultCreationDate: iso(-400), keyCount: 3, now: NOW }), null);
    assert.match(backupReminder({ lastBackupDate: iso(-31), vaultCreationDate: iso(-400), keyCount: 3, now: NOW })!.body, /31 days old/);
    assert.match(backupReminder({ lastBackupDate: undefined, vaultCreationDate: iso(-40), keyCount: 1, now: NOW })!.body, /never been backed up/);
    assert.equal(backupReminder({ lastBackupDate: undefined, vaultCreationDate: iso(-10), keyCount: 1, now: NOW }), null);
    assert.equal(backupReminder({ lastBackupDate: undefined, vaultCreationDate: iso(-40), keyCount: 0, now: NOW }), null);
  });

  it('the notifier says each thing once, and a deletion again when its date changes', async () => {
    let keys = [key({ Aliases: ['alias/old'], KeyState: 'PendingDeletion', DeletionDate: iso(1) })];
    const shown: DesktopNotice[] = [];
    const notifier = createDesktopNotifier({
      vault: {
        listKeyDetails: async () => ({ Keys: keys }),
        getVaultInfo: async () => ({ CreationDate: iso(-10), KeyCount: keys.length }),
        getRecoveryStatus: async () => ({}),
      },
      show: (n) => shown.push(n),
      now: () => NOW,
    });
    assert.equal((await notifier.check()).length, 1);
    assert.equal((await notifier.check()).length, 0);
    keys = [key({ Aliases: ['alias/old'], KeyState: 'PendingDeletion', DeletionDate: iso(2) })];
    assert.equal((await notifier.check()).length, 1);
    assert.equal(shown.length, 2);
  });
});

describe('tray', () => {
  it('names the soonest rotation among enabled keys', () => {
    const keys = [
      key({ KeyId: 'a', Aliases: ['alias/later'], NextRotationDate: iso(20) }),
      key({ KeyId: 'b', Aliases: ['alias/sooner'], NextRotationDate: iso(3) }),
      key({ KeyId: 'c', Aliases: ['alias/off'], KeyState: 'Disabled', NextRotationDate: iso(1) }),
    ];
    assert.match(nextRotationLine(keys, NOW), /^Next rotation: sooner on 3 Dec$/);
    assert.equal(nextRotationLine([], NOW), 'No keys yet');
    assert.equal(nextRotationLine([key({})], NOW), 'No automatic rotation is on');
  });

  it('the menu: information first (disabled), then Open, Rotate due keys now, Quit wired to the actions', () => {
    const done: string[] = [];
    const items = trayMenuModel([key({ Aliases: ['alias/x'], KeyState: 'PendingDeletion', DeletionDate: iso(4) })], NOW, {
      open: () => done.push('open'),
      checkRotations: () => done.push('check'),
      quit: () => done.push('quit'),
    });
    assert.equal(items[0]!.enabled, false);
    assert.equal(items[1]!.label, '“x” will be deleted on 4 Dec');
    for (const item of items) item.click?.();
    assert.deepEqual(done, ['open', 'check', 'quit']);
  });

  it('rebuilds its menu and tooltip on refresh and survives a vault that cannot be read', async () => {
    const menus: TrayMenuItem[][] = [];
    let tooltip = '';
    let fail = false;
    const tray = createAppTray({
      tray: { setToolTip: (t) => (tooltip = t), setContextMenu: () => undefined, on: () => undefined, destroy: () => undefined },
      buildMenu: (template) => menus.push(template),
      vault: {
        listKeyDetails: async () => {
          if (fail) throw new Error('locked');
          return { Keys: [key({ Aliases: ['alias/a'], NextRotationDate: iso(10) })] };
        },
      },
      actions: { open: () => undefined, checkRotations: () => undefined, quit: () => undefined },
      now: () => NOW,
      log: () => undefined,
    });
    assert.equal(menus[0]![0]!.label, 'Reading the vault…');
    await tray.refresh();
    assert.match(tooltip, /^Key Vault — Next rotation: a on 10 Dec$/);
    fail = true;
    await tray.refresh();
    assert.equal(menus.length, 2, 'a failed read leaves the last menu in place');
  });

  it('"Rotate due keys now" tells the person when nothing was due, and stays quiet when keys rotated', async () => {
    const events = new EventEmitter();
    const shown: string[] = [];
    const vault = { listKeyDetails: async () => ({ Keys: [key({ Aliases: ['alias/a'], NextRotationDate: iso(10) })] }) };
    const none = await rotateDueKeysNow({ check: async () => undefined, events, vault, show: (n) => shown.push(n.body), now: () => NOW });
    assert.equal(none, 0);
    assert.deepEqual(shown, ['Next rotation: a on 10 Dec.']);
    const two = await rotateDueKeysNow({
      check: async () => void (events.emit('rotation'), events.emit('rotation')),
      events,
      vault,
      show: (n) => shown.push(n.body),
      now: () => NOW,
    });
    assert.equal(two, 2);
    assert.equal(shown.length, 1);
    assert.equal(events.listenerCount('rotation'), 0);
  });
});
