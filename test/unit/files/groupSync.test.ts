import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shared } from '../../../main/files/groupSync.js';

/** A sync whose runs are recorded and finished by hand. */
function controlledSync() {
  const runs: { started: number; finish: (err?: Error) => void }[] = [];
  let clock = 0;
  const tick = () => ++clock;
  const sync = () =>
    new Promise<void>((done, fail) => {
      runs.push({ started: tick(), finish: (err) => (err ? fail(err) : done()) });
    });
  return { runs, sync, tick };
}

const settle = () => new Promise((r) => setImmediate(r));

test('callers during a running sync share ONE later sync, which starts only after the running one', async () => {
  const { runs, sync, tick } = controlledSync();
  const first = shared('k1', sync);
  assert.equal(runs.length, 1);
  const calledAt = tick();
  const later = [shared('k1', sync), shared('k1', sync), shared('k1', sync)];
  let laterDone = false;
  void Promise.all(later).then(() => (laterDone = true));
  await settle();
  assert.equal(runs.length, 1, 'no second sync while the first runs');
  runs[0]!.finish();
  await first;
  await settle();
  assert.equal(laterDone, false, 'the first sync began before their change: it does not count for them');
  assert.equal(runs.length, 2);
  assert.ok(runs[1]!.started > calledAt, 'the shared sync starts after their call');
  runs[1]!.finish();
  await Promise.all(later);
  assert.equal(runs.length, 2);
});

test('a failed sync fails every caller sharing it, and the next caller gets a fresh one', async () => {
  const { runs, sync } = controlledSync();
  const first = shared('k2', sync);
  const a = shared('k2', sync);
  const b = shared('k2', sync);
  runs[0]!.finish();
  await first;
  await settle();
  runs[1]!.finish(new Error('EIO'));
  await assert.rejects(a, /EIO/);
  await assert.rejects(b, /EIO/);
  const c = shared('k2', sync);
  assert.equal(runs.length, 3);
  runs[2]!.finish();
  await c;
});

test('different keys (folders) never share a sync', async () => {
  const { runs, sync } = controlledSync();
  const x = shared('kx', sync);
  const y = shared('ky', sync);
  assert.equal(runs.length, 2);
  runs[0]!.finish();
  runs[1]!.finish();
  await Promise.all([x, y]);
});
