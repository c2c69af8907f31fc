/**
 * Builds the `window.vault` object from three injected capabilities, so it is tested under Node
 * without Electron: `invoke` (ipcRenderer.invoke on a channel), `subscribe` (listen on a channel,
 * returning an unsubscribe) and `takeDropped` (the tokens of the drop the preload saw, see
 * dropCapture.ts). The page never receives any of these capabilities themselves, only the methods
 * built here. No method takes or returns a path on disk that main would act on.
 */
import { APP_EVENT_NAMES, EVENT_NAMES, OPERATION_NAMES, channelFor, eventChannelFor } from './contract.js';
import type { AppEventName, BridgeEvents, EventName, FileHandle, IpcResult, VaultBridge, VaultBridgeError } from './contract.js';

export type Invoke = (channel: string, ...args: unknown[]) => Promise<unknown>;
export type Subscribe = (channel: string, listener: (payload: unknown) => void) => () => void;
export type TakeDropped = () => Promise<FileHandle[]>;

export function makeBridgeError(__type: string, message: string): VaultBridgeError {
  const err = new Error(message) as VaultBridgeError;
  err.name = __type;
  err.__type = __type;
  return err;
}

function isIpcResult(value: unknown): value is IpcResult<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  if (v.ok === true) return 'value' in v;
  if (v.ok !== false || typeof v.error !== 'object' || v.error === null) return false;
  const e = v.error as { __type?: unknown; message?: unknown };
  return typeof e.__type === 'string' && typeof e.message === 'string';
}

/** The value of an IpcResult, or a thrown VaultBridgeError carrying the KMS exception name. */
export function unwrapIpcResult(result: unknown): unknown {
  if (!isIpcResult(result)) {
    throw makeBridgeError('KMSInternalException', 'The vault answered with something that is not a result envelope.');
  }
  if (result.ok) return result.value;
  throw makeBridgeError(result.error.__type, result.error.message);
}

const KNOWN_EVENTS: ReadonlySet<string> = new Set([...EVENT_NAMES, ...APP_EVENT_NAMES]);

export function createVaultBridge(invoke: Invoke, subscribe: Subscribe, takeDropped: TakeDropped): VaultBridge {
  const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const op of OPERATION_NAMES) {
    const channel = channelFor(op);
    methods[op] = async (...args: unknown[]) => unwrapIpcResult(await invoke(channel, ...args));
  }
  const bridge = {
    ...methods,
    on<E extends EventName | AppEventName>(event: E, listener: (payload: BridgeEvents[E]) => void): () => void {
      if (!KNOWN_EVENTS.has(event)) throw makeBridgeError('ValidationException', `Unknown vault event "${String(event)}".`);
      if (typeof listener !== 'function') throw makeBridgeError('ValidationException', 'The event listener must be a function.');
      let active = true;
      const off = subscribe(eventChannelFor(event), (payload) => {
        if (active) listener(payload as BridgeEvents[E]);
      });
      return () => {
        if (!active) return;
        active = false;
        off();
      };
    },
    takeDroppedFiles(): Promise<FileHandle[]> {
      return takeDropped();
    },
  };
  return bridge as unknown as VaultBridge;
}

/**
 * contextBridge copies an Error into the page with its message only (custom properties such as
 * `__type` are lost). So across that boundary a rejection is a plain `{ name, __type, message }`
 * object, which the page can still read the exception name from.
 */
export function forContextBridge(bridge: VaultBridge): VaultBridge {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(bridge)) {
    if (typeof value !== 'function') continue;
    if ((OPERATION_NAMES as readonly string[]).includes(key) || key === 'takeDroppedFiles') {
      const method = value as (...args: unknown[]) => Promise<unknown>;
      out[key] = (...args: unknown[]) =>
        method(...args).catch((err: unknown) => {
          const e = err as Partial<VaultBridgeError>;
          const __type = typeof e?.__type === 'string' ? e.__type : 'KMSInternalException';
          const message = typeof e?.message === 'string' ? e.message : String(err);
          return Promise.reject({ name: __type, __type, message });
        });
    } else {
      out[key] = value;
    }
  }
  return Object.freeze(out) as unknown as VaultBridge;
}
