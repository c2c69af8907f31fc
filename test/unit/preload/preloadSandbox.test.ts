/**
 * The preload as a sandboxed renderer runs it: one CommonJS file whose only `require` is
 * 'electron'. Bundled here with esbuild (the same shape electron-vite emits) and run in a fresh
 * VM context with fakes of contextBridge, ipcRenderer and webUtils.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import { build } from 'esbuild';
import { OPERATION_NAMES, REGISTER_DROP_CHANNEL, channelFor, eventChannelFor } from '../../../preload/contract.js';

const entry = fileURLToPath(new URL('../../../preload/index.ts', import.meta.url));

async function bundle(): Promise<string> {
  const out = await build({ entryPoints: [entry], bundle: true, format: 'cjs', platform: 'browser', external: ['electron'], write: false, logLevel: 'silent' });
  return out.outputFiles[0]!.text;
}

function runPreload(code: string) {
  const exposed = new Map<string, unknown>();
  const required: string[] = [];
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        invoked.push({ channel, args });
        if (channel === channelFor('listKeys')) return { ok: true, value: { Keys: [] } };
        if (channel === REGISTER_DROP_CHANNEL) {
          const { Paths } = args[0] as { Paths: string[] };
          return { ok: true, value: { Files: Paths.map((p, i) => ({ FileToken: `token-${i}`, Name: p.split('/').pop(), Size: 1 })) } };
        }
        return { ok: false, error: { __type: 'NotFoundException', message: 'nope' } };
      },
      on: (channel: string, l: (...args: unknown[]) => void) => {
        const set = listeners.get(channel) ?? new Set();
        set.add(l);
        listeners.set(channel, set);
      },
      removeListener: (channel: string, l: (...args: unknown[]) => void) => listeners.get(channel)?.delete(l),
    },
    webUtils: { getPathForFile: (f: { name: string }) => `/dropped/${f.name}` },
  };
  const dropListeners: { listener: (event: unknown) => void; capture: unknown }[] = [];
  const addEventListener = (type: string, listener: (event: unknown) => void, capture: unknown) => {
    if (type === 'drop') dropListeners.push({ listener, capture });
  };
  const module = { exports: {} };
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name !== 'electron') throw new Error(`Cannot require '${name}' in a sandboxed preload`);
    return electron;
  };
  vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console, addEventListener });
  return { exposed, required, listeners, invoked, dropListeners };
}

describe('sandboxed preload bundle', () => {
  it('requires nothing but electron and exposes only window.vault', async () => {
    const { exposed, required } = runPreload(await bundle());
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.deepEqual([...exposed.keys()], ['vault']);
    const vault = exposed.get('vault') as Record<string, unknown>;
    assert.deepEqual(Object.keys(vault).sort(), [...OPERATION_NAMES, 'on', 'takeDroppedFiles'].sort());
    assert.ok(
      Object.values(vault).every((v) => typeof v === 'function'),
      'only functions cross the bridge',
    );
  });

  it('unwraps results, rejects with the exception name, and hands listeners only the payload', async () => {
    const { exposed, listeners, invoked } = runPreload(await bundle());
    const vault = exposed.get('vault') as {
      listKeys(): Promise<unknown>;
      describeKey(req: unknown): Promise<unknown>;
      on(ev: string, l: (...args: unknown[]) => void): () => void;
    };
    assert.deepEqual(await vault.listKeys(), { Keys: [] });
    await assert.rejects(vault.describeKey({ KeyId: 'k' }), { __type: 'NotFoundException', message: 'nope' });
    assert.deepEqual(invoked[1], { channel: channelFor('describeKey'), args: [{ KeyId: 'k' }] });

    const got: unknown[][] = [];
    const off = vault.on('vaultChanged', (...args) => got.push(args));
    const fakeEvent = { sender: { send() {} }, ports: [] };
    for (const l of listeners.get(eventChannelFor('vaultChanged')) ?? []) l(fakeEvent, { Revision: 2 });
    assert.deepEqual(got, [[{ Revision: 2 }]]);
    off();
    assert.equal(listeners.get(eventChannelFor('vaultChanged'))?.size, 0);
  });

  it('registers the files of a trusted drop with main and gives the page only tokens; a forged drop yields nothing', async () => {
    const { exposed, invoked, dropListeners } = runPreload(await bundle());
    const vault = exposed.get('vault') as { takeDroppedFiles(): Promise<unknown> };
    assert.equal(dropListeners.length, 1);
    assert.equal(dropListeners[0]!.capture, true, 'the preload listens in the capture phase, before the page');
    const drop = (isTrusted: boolean, names: string[]) => dropListeners[0]!.listener({ isTrusted, dataTransfer: { files: names.map((name) => ({ name })) } });

    drop(true, ['a.txt', 'b.pdf']);
    // Values made inside the VM have its prototypes: compare them as plain data.
    const plain = async () => JSON.parse(JSON.stringify(await vault.takeDroppedFiles())) as unknown;
    assert.deepEqual(await plain(), [
      { FileToken: 'token-0', Name: 'a.txt', Size: 1 },
      { FileToken: 'token-1', Name: 'b.pdf', Size: 1 },
    ]);
    assert.deepEqual(JSON.parse(JSON.stringify(invoked.at(-1))), { channel: REGISTER_DROP_CHANNEL, args: [{ Paths: ['/dropped/a.txt', '/dropped/b.pdf'] }] });
    assert.deepEqual(await plain(), [], 'tokens of a drop are taken once');

    const before = invoked.length;
    drop(false, ['shadow']);
    assert.deepEqual(await plain(), []);
    assert.equal(invoked.length, before, 'a drop the page dispatched itself never reaches main');
  });
});
