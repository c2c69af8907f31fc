/**
 * "Bring N files up to date" through the app, on a real vault: progress reaches the window as
 * `filesProgress` events (through the event forwarder), cancelFileJob with the run's job id stops
 * it after the files in hand, and running it again finishes the rest; every file then opens under
 * the current version.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createAppOperations } from '../../../main/app/appOperations.js';
import { createEventForwarder } from '../../../main/app/eventForwarder.js';
import { FileTokenRegistry } from '../../../main/app/fileTokens.js';
import { ScriptedDialogs } from '../../../main/app/scriptedDialogs.js';
import { readAgeFileFacts } from '../../../main/files/inventory.js';
import { eventChannelFor, type FilesProgressEvent } from '../../../preload/contract.js';
import { createTempVault, tempDir, type TempVault } from '../../support/tempVault.js';

const FILES = 30;
let vault: TempVault;
const folder = tempDir('keyvault-retire-progress-');
before(async () => {
  vault = await createTempVault();
});
after(async () => {
  await vault.cleanup();
  rmSync(folder, { recursive: true, force: true });
});

test('progress as events, Stop after the files in hand, and a second run finishes the rest', async () => {
  const s = vault.service;
  const { KeyMetadata } = await s.createKey({ AliasName: 'alias/archive' });
  const paths: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const input = join(folder, `f${i}.txt`);
    writeFileSync(input, `file ${i}\n`);
    await s.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', InputPath: input, KeyId: KeyMetadata.KeyId });
    paths.push(`${input}.age`);
  }
  const { KeyVersionId: current } = await s.rotateKeyOnDemand({ KeyId: KeyMetadata.KeyId });

  const sent: { channel: string; payload: unknown }[] = [];
  const forwarder = createEventForwarder({
    source: s.events,
    target: { send: (channel, payload) => void sent.push({ channel, payload }), isDestroyed: () => false },
  });
  forwarder.markReady();
  const ops = createAppOperations(s, { dialogs: new ScriptedDialogs(), tokens: new FileTokenRegistry(), defaultSaveDir: () => folder });
  const ctx = { owner: 'contents:1' };
  const progressOf = (jobId: string): FilesProgressEvent[] =>
    sent
      .filter((e) => e.channel === eventChannelFor('filesProgress') && (e.payload as FilesProgressEvent).JobId === jobId)
      .map((e) => e.payload as FilesProgressEvent);

  try {
    // First run: the page presses Stop as soon as the first progress arrives.
    const first = randomUUID();
    let stopped: Promise<{ Cancelled: boolean }> | undefined;
    const onProgress = (e: FilesProgressEvent): void => {
      if (e.JobId === first && !stopped) stopped = ops.cancelFileJob({ JobId: first }, ctx);
    };
    s.events.on('filesProgress', onProgress);
    const partial = await ops.reEncryptFiles({ JobId: first, KeyId: KeyMetadata.KeyId }, ctx);
    s.events.off('filesProgress', onProgress);
    assert.deepEqual(await stopped, { Cancelled: true }, 'cancelFileJob knows the run by its job id');
    assert.equal(partial.Cancelled, true);
    assert.ok(partial.ReEncrypted >= 1 && partial.ReEncrypted < FILES, `stopped part-way (${partial.ReEncrypted} of ${FILES})`);
    const events = progressOf(first);
    assert.ok(events.length >= 1 && events.every((e) => e.FilesTotal === FILES), 'progress counts files of the run, forwarded to the window');
    assert.deepEqual(
      events.map((e) => e.FilesDone),
      [...events.map((e) => e.FilesDone)].sort((a, b) => a - b),
      'progress only goes forward',
    );
    const onCurrent = paths.filter((p) => readAgeFileFacts(p)?.KeyVersionId === current).length;
    assert.equal(onCurrent, partial.ReEncrypted, 'exactly the files reported rewrapped are on the current version');

    // Second run: the rest, with progress up to the end.
    const second = randomUUID();
    const rest = await ops.reEncryptFiles({ JobId: second, KeyId: KeyMetadata.KeyId }, ctx);
    assert.equal(rest.Cancelled, undefined);
    assert.equal(rest.ReEncrypted, FILES - partial.ReEncrypted);
    assert.deepEqual(rest.Failed, []);
    const last = progressOf(second).at(-1);
    assert.deepEqual(last && [last.FilesDone, last.FilesTotal], [rest.ReEncrypted, rest.ReEncrypted]);
    for (const p of paths) assert.equal(readAgeFileFacts(p)?.KeyVersionId, current, `${p} is on the current version`);
    // And they open.
    const probe = await s.runFileJob({ JobId: randomUUID(), Operation: 'Decrypt', InputPath: paths[0]!, OutputPath: join(folder, 'probe.txt') });
    assert.equal(probe.KeyVersionId, current);
    // A job id no run has: nothing to cancel.
    assert.deepEqual(await ops.cancelFileJob({ JobId: randomUUID() }, ctx), { Cancelled: false });
  } finally {
    forwarder.dispose();
  }
});
