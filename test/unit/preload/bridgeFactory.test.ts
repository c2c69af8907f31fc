import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVaultBridge, forContextBridge, unwrapIpcResult } from '../../../preload/bridgeFactory.js';
import { OPERATION_NAMES, channelFor, eventChannelFor } from '../../../preload/contract.js';
import type { VaultBridgeError } from '../../../preload/contract.js';

type Listener = (payload: unknown) => void;

function harness(answer: (channel: string, args: unknown[]) => unknown = () => ({ ok: true, value: {} })) {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<Listener>>();
  const invoke = async (channel: string, ...args: unknown[]) => {
    invoked.push({ channel, args });
    return answer(channel, args);
  };
  const subscribe = (channel: string, listener: Listener) => {
    const set = listeners.get(channel) ?? new Set<Listener>();
    set.add(listener);
    listeners.set(channel, set);
    return () => set.delete(listener);
  };
  const emit = (channel: string, payload: unknown) => listeners.get(channel)?.forEach((l) => l(payload));
  const dropped = [{ FileToken: 't'.repeat(43), Name: 'a.txt', Size: 3 }];
  const bridge = createVaultBridge(invoke, subscribe, async () => dropped);
  return { bridge, invoked, listeners, emit };
}

describe('vault bridge factory', () => {
  it('has one method per operation and nothing but on and takeDroppedFiles besides', () => {
    const { bridge } = harness();
    assert.deepEqual(Object.keys(bridge).sort(), [...OPERATION_NAMES, 'on', 'takeDroppedFiles'].sort());
  });

  it('invokes vault:<op> with the request and resolves with the unwrapped value', async () => {
    const { bridge, invoked } = harness(() => ({ ok: true, value: { Keys: [] } }));
    assert.deepEqual(await bridge.listKeys(), { Keys: [] });
    await bridge.describeKey({ KeyId: 'k' });
    assert.deepEqual(invoked, [
      { channel: channelFor('listKeys'), args: [] },
      { channel: channelFor('describeKey'), args: [{ KeyId: 'k' }] },
    ]);
  });

  it('rejects with an Error carrying the KMS exception name', async () => {
    const { bridge } = harness(() => ({ ok: false, error: { __type: 'NotFoundException', message: 'no such key' } }));
    await assert.rejects(bridge.describeKey({ KeyId: 'k' }), (err: VaultBridgeError) => {
      assert.ok(err instanceof Error);
      assert.equal(err.__type, 'NotFoundException');
      assert.equal(err.message, 'no such key');
      return true;
    });
  });

  it('rejects a malformed answer as KMSInternalException', () => {
    assert.throws(() => unwrapIpcResult({ value: 1 }), { __type: 'KMSInternalException' });
    assert.throws(() => unwrapIpcResult({ ok: false, error: 'x' }), { __type: 'KMSInternalException' });
  });

  it('delivers only the payload to an event listener, and unsubscribe stops delivery', () => {
    const { bridge, emit, listeners } = harness();
    const seen: unknown[] = [];
    const off = bridge.on('rotation', (p) => seen.push(p));
    emit(eventChannelFor('rotation'), { KeyId: 'k' });
    off();
    emit(eventChannelFor('rotation'), { KeyId: 'k2' });
    off();
    assert.deepEqual(seen, [{ KeyId: 'k' }]);
    assert.equal(listeners.get(eventChannelFor('rotation'))?.size, 0);
  });

  it('refuses to subscribe to an unknown event', () => {
    const { bridge } = harness();
    assert.throws(() => bridge.on('keyMaterial' as never, () => {}), { __type: 'ValidationException' });
  });

  it('hands the page the tokens of the drop the preload registered, never a path', async () => {
    const { bridge } = harness();
    assert.deepEqual(await bridge.takeDroppedFiles(), [{ FileToken: 't'.repeat(43), Name: 'a.txt', Size: 3 }]);
  });
});

describe('bridge across contextBridge', () => {
  it('rejects with a plain { name, __type, message } object, since contextBridge drops Error properties', async () => {
    const { bridge } = harness(() => ({ ok: false, error: { __type: 'DisabledException', message: 'disabled' } }));
    const exposed = forContextBridge(bridge);
    await assert.rejects(exposed.enableKey({ KeyId: 'k' }), (err: unknown) => {
      assert.deepEqual(err, { name: 'DisabledException', __type: 'DisabledException', message: 'disabled' });
      return true;
    });
  });

  it('is frozen and keeps the same methods', async () => {
    const { bridge } = harness(() => ({ ok: true, value: 7 }));
    const exposed = forContextBridge(bridge);
    assert.ok(Object.isFrozen(exposed));
    assert.deepEqual(Object.keys(exposed).sort(), Object.keys(bridge).sort());
    assert.equal(await exposed.getVaultInfo(), 7);
  });
});
