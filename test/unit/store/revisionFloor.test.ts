/** The store's revision floor with an in-memory ledger: when it is written, and what it refuses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VaultIntegrityException } from '../../../main/core/errors.js';
import type { RevisionLedger } from '../../../main/store/documentIntegrity.js';
import { VaultStore } from '../../../main/store/vaultStore.js';
import { sampleVault } from '../../fixtures/store/sampleVault.js';
import { testMacKey } from '../../support/storeIntegrity.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kv-floor-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'vault');
}

/** A ledger whose writes take `delayMs`, recording the order of events. */
function slowLedger(delayMs: number, events: string[]): RevisionLedger & { value: number | null } {
  const ledger = {
    value: null as number | null,
    read: () => Promise.resolve(ledger.value),
    settle: async (revision: number) => {
      events.push(`settle ${revision} start`);
      await sleep(delayMs);
      ledger.value = revision;
      events.push(`settle ${revision} done`);
    },
  };
  return ledger;
}

async function openStore(t: { after(fn: () => void): void }, ledger: RevisionLedger, settleInBackground: boolean): Promise<VaultStore> {
  const doc = sampleVault(2, 1);
  const store = await VaultStore.open(tempDir(t), { settleInBackground });
  t.after(() => store.close());
  store.attachIntegrity({ vaultId: doc.VaultId, macKey: testMacKey(doc.VaultId), ledger });
  await store.create(doc);
  await store.settled();
  return store;
}

test('by default a commit returns only after the floor is written', async (t) => {
  const events: string[] = [];
  const ledger = slowLedger(30, events);
  const store = await openStore(t, ledger, false);
  await store.transact(() => undefined);
  events.push('returned');
  assert.deepEqual(events.slice(-3), ['settle 1 start', 'settle 1 done', 'returned']);
});

test('in background mode a commit returns first, and the next commit waits for the floor write', async (t) => {
  const events: string[] = [];
  const ledger = slowLedger(50, events);
  const store = await openStore(t, ledger, true);
  await store.transact(() => undefined);
  events.push('first returned');
  assert.equal(ledger.value, 0, 'the floor is written after the commit returned');
  await store.transact(() => {
    events.push('second runs');
  });
  await store.settled();
  assert.equal(ledger.value, 2);
  const i = (e: string) => events.indexOf(e);
  assert.ok(i('first returned') < i('settle 1 done'), events.join(', '));
  assert.ok(i('settle 1 done') < i('second runs'), `the lock was held until the floor was written: ${events.join(', ')}`);
});

test('an older copy put back is refused on read and on commit, in either mode', async (t) => {
  for (const background of [false, true]) {
    const events: string[] = [];
    const store = await openStore(t, slowLedger(5, events), background);
    const old = `${store.file}.old`;
    copyFileSync(store.file, old);
    await store.transact(() => undefined);
    await store.settled();
    copyFileSync(old, store.file);
    await sleep(5);
    assert.throws(() => store.read(), VaultIntegrityException);
    await assert.rejects(
      store.transact(() => undefined),
      VaultIntegrityException,
    );
  }
});

test('a fresh store on a rolled-back file is refused at its open check (the ledger is ahead)', async (t) => {
  const events: string[] = [];
  const ledger = slowLedger(1, events);
  const store = await openStore(t, ledger, false);
  const old = `${store.file}.old`;
  copyFileSync(store.file, old);
  await store.transact(() => undefined);
  copyFileSync(old, store.file);
  const fresh = await VaultStore.open(store.dir);
  t.after(() => fresh.close());
  const vaultId = fresh.peekIdentity()?.VaultId;
  assert.ok(vaultId);
  fresh.attachIntegrity({ vaultId, macKey: testMacKey(vaultId), ledger });
  await assert.rejects(fresh.openChecked(), VaultIntegrityException);
});
