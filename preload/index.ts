/**
 * The sandboxed preload: exposes `window.vault` (preload/contract.ts) and nothing else. The page
 * never sees ipcRenderer, the IpcRendererEvent, or any Node object: only the methods that
 * createVaultBridge builds over three narrow capabilities. Paths of dropped files are read here
 * and go straight to main (dropCapture.ts); the page only gets tokens back.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { createVaultBridge, forContextBridge, unwrapIpcResult } from './bridgeFactory.js';
import { REGISTER_DROP_CHANNEL } from './contract.js';
import type { FileHandle } from './contract.js';
import { createDropCapture } from './dropCapture.js';
import type { DropEventLike } from './dropCapture.js';

const invoke = (channel: string, ...args: unknown[]): Promise<unknown> => ipcRenderer.invoke(channel, ...args);

const subscribe = (channel: string, listener: (payload: unknown) => void): (() => void) => {
  // Only the payload reaches the page; the event (with its sender and ports) stays here.
  const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
};

const register = async (paths: string[]): Promise<FileHandle[]> =>
  (unwrapIpcResult(await ipcRenderer.invoke(REGISTER_DROP_CHANNEL, { Paths: paths })) as { Files: FileHandle[] }).Files;

const drops = createDropCapture((file) => webUtils.getPathForFile(file), register);
// The preload is compiled without the DOM library; this is the one DOM call it makes.
const page = globalThis as unknown as { addEventListener(type: 'drop', listener: (event: DropEventLike) => void, capture: boolean): void };
page.addEventListener('drop', (event) => drops.onDrop(event), true);

contextBridge.exposeInMainWorld('vault', forContextBridge(createVaultBridge(invoke, subscribe, () => drops.take())));
