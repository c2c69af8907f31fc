/**
 * The sandboxed preload: exposes `window.vault` (preload/contract.ts) and nothing else. The page
 * never sees ipcRenderer, the IpcRendererEvent, or any Node object: only the methods that
 * createVaultBridge builds over these three narrow capabilities.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { createVaultBridge, forContextBridge } from './bridgeFactory.js';

const invoke = (channel: string, ...args: unknown[]): Promise<unknown> => ipcRenderer.invoke(channel, ...args);

const subscribe = (channel: string, listener: (payload: unknown) => void): (() => void) => {
  // Only the payload reaches the page; the event (with its sender and ports) stays here.
  const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
};

const getPath = (file: File): string => webUtils.getPathForFile(file);

contextBridge.exposeInMainWorld('vault', forContextBridge(createVaultBridge(invoke, subscribe, getPath)));
