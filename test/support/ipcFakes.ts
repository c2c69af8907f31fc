/** Fakes of the tiny Electron surfaces the shell uses, for tests under Node. */
import { EventEmitter } from 'node:events';
import type { IpcHandlerLike, IpcMainLike, VaultServiceLike } from '../../main/app/ipcHandlers.js';
import type { FrameLike } from '../../main/app/securityPolicy.js';
import { APP_ENTRY_URL, isTrustedSenderFrame } from '../../main/app/securityPolicy.js';
import { OPERATION_NAMES } from '../../preload/contract.js';
import type { OperationName } from '../../preload/contract.js';

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, IpcHandlerLike>();
  handle(channel: string, handler: IpcHandlerLike): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke from `frame` would get back. */
  async invoke(frame: FrameLike | null, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ senderFrame: frame }, ...args);
  }
}

export function frame(url: string, parent: FrameLike | null = null, ids = { processId: 4, routingId: 1 }): FrameLike {
  return { url, parent, ...ids };
}

/** The app window's main frame showing the app, and a sender check bound to it. */
export function appWindow(url = APP_ENTRY_URL): { mainFrame: FrameLike; isTrustedSender: (f: FrameLike | null) => boolean } {
  const mainFrame = frame(url);
  return { mainFrame, isTrustedSender: (f) => isTrustedSenderFrame(f, { entryUrl: APP_ENTRY_URL, mainFrame }) };
}

export interface FakeService {
  service: VaultServiceLike;
  calls: { op: OperationName; req: unknown }[];
  /** Make `op` answer with `impl` instead of the default `{ Op: op }`. */
  answer(op: OperationName, impl: (req: unknown) => unknown): void;
  events: EventEmitter;
}

export function fakeService(): FakeService {
  const calls: { op: OperationName; req: unknown }[] = [];
  const impls = new Map<OperationName, (req: unknown) => unknown>();
  const methods: Record<string, (req: unknown) => Promise<unknown>> = {};
  for (const op of OPERATION_NAMES) {
    methods[op] = async (req: unknown) => {
      calls.push({ op, req });
      const impl = impls.get(op);
      return impl ? impl(req) : { Op: op };
    };
  }
  return {
    service: methods as unknown as VaultServiceLike,
    calls,
    answer: (op, impl) => impls.set(op, impl),
    events: new EventEmitter(),
  };
}
