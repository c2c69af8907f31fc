import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { createEventForwarder, rotationNotice } from '../../../main/app/eventForwarder.js';
import { eventChannelFor } from '../../../preload/contract.js';

function harness(maxQueued?: number) {
  const source = new EventEmitter();
  const sent: { channel: string; payload: unknown }[] = [];
  let destroyed = false;
  const logs: string[] = [];
  const forwarder = createEventForwarder({
    source,
    target: { send: (channel, payload) => sent.push({ channel, payload }), isDestroyed: () => destroyed },
    maxQueued,
    log: (m) => logs.push(m),
  });
  return { source, sent, forwarder, logs, destroy: () => (destroyed = true) };
}

const rotation = { KeyId: 'k', KeyVersionId: 'v2', RotationType: 'AUTOMATIC', RotationDate: '2026-01-01T00:00:00.000Z' };

describe('event forwarder', () => {
  it('queues events until the renderer is ready, then sends them in order', () => {
    const { source, sent, forwarder } = harness();
    source.emit('rotation', rotation);
    source.emit('vaultChanged', { Revision: 3 });
    assert.equal(sent.length, 0);
    assert.equal(forwarder.pending(), 2);
    forwarder.markReady();
    assert.deepEqual(sent, [
      { channel: eventChannelFor('rotation'), payload: rotation },
      { channel: eventChannelFor('vaultChanged'), payload: { Revision: 3 } },
    ]);
  });

  it('sends directly once ready and queues again during a reload', () => {
    const { source, sent, forwarder } = harness();
    forwarder.markReady();
    source.emit('fileProgress', { JobId: 'j', BytesDone: 1, BytesTotal: 2 });
    assert.equal(sent.length, 1);
    forwarder.markNotReady();
    source.emit('vaultChanged', { Revision: 4 });
    assert.equal(sent.length, 1);
    forwarder.markReady();
    assert.equal(sent.length, 2);
  });

  it('keeps only the newest events when the queue overflows', () => {
    const { source, forwarder, sent } = harness(2);
    for (let r = 1; r <= 5; r++) source.emit('vaultChanged', { Revision: r });
    forwarder.markReady();
    assert.deepEqual(
      sent.map((s) => (s.payload as { Revision: number }).Revision),
      [4, 5],
    );
  });

  it('drops an event carrying a material-like field', () => {
    const { source, forwarder, sent, logs } = harness();
    forwarder.markReady();
    source.emit('rotation', { ...rotation, SealedMaterial: 'AAAA' });
    assert.equal(sent.length, 0);
    assert.ok(logs.some((m) => m.includes('SealedMaterial')));
  });

  it('sends nothing to a destroyed window and nothing after dispose', () => {
    const { source, forwarder, sent, destroy } = harness();
    forwarder.markReady();
    destroy();
    source.emit('vaultChanged', { Revision: 1 });
    forwarder.dispose();
    assert.equal(source.listenerCount('vaultChanged'), 0);
    assert.equal(sent.length, 0);
  });

  it('ignores events it does not know', () => {
    const { source, forwarder, sent } = harness();
    forwarder.markReady();
    source.emit('keyMaterial', { x: 1 });
    assert.equal(sent.length, 0);
  });
});

describe('rotation notice', () => {
  it('announces automatic rotations only', () => {
    const notice = rotationNotice({ ...rotation, RotationType: 'AUTOMATIC' });
    assert.ok(notice);
    assert.match(notice.body, /k/);
    assert.match(notice.body, /v2/);
    assert.equal(rotationNotice({ ...rotation, RotationType: 'ON_DEMAND' }), null);
    assert.equal(rotationNotice({ ...rotation, RotationType: 'IMPORT' }), null);
  });
});
