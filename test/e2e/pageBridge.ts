/**
 * Runs IN THE PAGE (bundled by harness.ts with esbuild): `window.vault` built by the real
 * preload code (createVaultBridge, forContextBridge, createDropCapture) over three stand-ins for
 * what only Electron provides:
 *   - ipcRenderer.invoke → the `__vaultInvoke` binding, which calls main's real IPC handlers;
 *   - ipcRenderer.on → events Node pushes with `__vaultTest.dispatch`;
 *   - webUtils.getPathForFile → a name → path map the test fills (`__vaultTest.registerFiles`),
 *     since a browser page cannot learn a dropped File's path. This is the one stand-in that is
 *     not the real thing; the trusted-drop check in front of it is.
 */
import { createVaultBridge, forContextBridge, unwrapIpcResult } from '../../preload/bridgeFactory.js';
import { REGISTER_DROP_CHANNEL } from '../../preload/contract.js';
import type { FileHandle } from '../../preload/contract.js';
import { createDropCapture } from '../../preload/dropCapture.js';
import type { DropEventLike } from '../../preload/dropCapture.js';

interface PageGlobals {
  __vaultInvoke(channel: string, args: unknown[]): Promise<unknown>;
  addEventListener(type: 'drop', listener: (event: DropEventLike) => void, capture: boolean): void;
}
const page = globalThis as unknown as PageGlobals;

const listeners = new Map<string, Set<(payload: unknown) => void>>();
const pathsByName = new Map<string, string>();

const invoke = (channel: string, ...args: unknown[]): Promise<unknown> => page.__vaultInvoke(channel, args);
const subscribe = (channel: string, listener: (payload: unknown) => void): (() => void) => {
  const set = listeners.get(channel) ?? new Set();
  set.add(listener);
  listeners.set(channel, set);
  return () => {
    set.delete(listener);
  };
};
const register = async (paths: string[]): Promise<FileHandle[]> =>
  (unwrapIpcResult(await invoke(REGISTER_DROP_CHANNEL, { Paths: paths })) as { Files: FileHandle[] }).Files;

const drops = createDropCapture((file) => pathsByName.get(file.name) ?? '', register);
page.addEventListener('drop', (event) => drops.onDrop(event), true);

Object.defineProperty(globalThis, 'vault', { value: forContextBridge(createVaultBridge(invoke, subscribe, () => drops.take())) });
Object.defineProperty(globalThis, '__vaultTest', {
  value: Object.freeze({
    dispatch(channel: string, payload: unknown) {
      for (const listener of listeners.get(channel) ?? []) {
        try {
          listener(payload);
        } catch (err) {
          console.error(err);
        }
      }
    },
    registerFiles(entries: [string, string][]) {
      for (const [name, path] of entries) pathsByName.set(name, path);
    },
  }),
});
