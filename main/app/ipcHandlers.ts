/**
 * One `ipcMain.handle` per vault operation. Every handler, in order:
 *   1. refuses a sender that is not the main frame of our window showing the app document;
 *   2. validates the request with the operation's schema (ValidationException otherwise);
 *   3. calls the app operation of the same name (appOperations.ts: the service, behind main's
 *      own dialogs and confirmations for anything touching files outside the vault);
 *   4. refuses to send a response carrying anything that looks like key material;
 *   5. answers with an IpcResult envelope — never a raw Error across the boundary.
 * The types are structural so tests drive this with a fake ipcMain and a fake service.
 */
import { homedir } from 'node:os';
import { KMS_EXCEPTION_NAMES } from '../core/errors.js';
import type { KmsExceptionName } from '../core/errors.js';
import { OPERATION_NAMES, REGISTER_DROP_CHANNEL, channelFor } from '../../preload/contract.js';
import type { IpcResult, OperationName } from '../../preload/contract.js';
import { createAppOperations, registerDroppedFiles } from './appOperations.js';
import type { AppOperationsOptions, CallContext, VaultRestorer, VaultServiceLike } from './appOperations.js';
import { FileTokenRegistry } from './fileTokens.js';
import { validateDropRequest, validateRequest } from './ipcSchemas.js';
import type { DialogPort } from './nativeDialogs.js';
import type { FrameLike } from './securityPolicy.js';

export type { VaultServiceLike } from './appOperations.js';

export interface IpcInvokeEventLike {
  readonly senderFrame: FrameLike | null;
  /** The sending WebContents (Electron's event.sender): file tokens belong to it. */
  readonly sender?: { readonly id: number } | null;
}

export type IpcHandlerLike = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

export interface IpcMainLike {
  handle(channel: string, handler: IpcHandlerLike): void;
  removeHandler(channel: string): void;
}

export interface RegisterVaultIpcOptions {
  isTrustedSender(frame: FrameLike | null): boolean;
  /** Native dialogs, run by main (nativeDialogs.ts). */
  dialogs: DialogPort;
  /** File tokens; a fresh registry by default. */
  tokens?: FileTokenRegistry;
  /** Where the backup save dialog starts. Default: the home directory. */
  defaultSaveDir?: () => string;
  vaultDir?: string;
  restore?: VaultRestorer;
  /** Files the OS asked the app to open (openWith.ts). */
  openedFiles?: AppOperationsOptions['openedFiles'];
  /** Where unexpected failures and refusals are reported (console.error by default). */
  log?: (message: string, detail?: unknown) => void;
}

export const GENERIC_INTERNAL_MESSAGE = 'The vault hit an internal error. Details are in the application log.';
export const UNTRUSTED_SENDER_MESSAGE = 'Request refused: it did not come from the Key Vault window.';
export const FORBIDDEN_RESPONSE_MESSAGE = 'Response refused: it contained a field that must never leave the vault.';

/** Field names that must never cross into the renderer, whatever the service returns. */
const FORBIDDEN_FIELD = /material|sealed|rootsecret|root_secret/i;
const MAX_SCAN_DEPTH = 32;

/**
 * The path of the first field whose name looks like key material (…Material…, …Sealed…,
 * RootSecret), or null when the value is clean. Cycles and absurd depth count as unsafe.
 */
export function findForbiddenField(value: unknown): string | null {
  const seen = new Set<object>();
  const walk = (v: unknown, path: string, depth: number): string | null => {
    if (v === null || typeof v !== 'object') return null;
    if (depth > MAX_SCAN_DEPTH) return `${path || '$'} (nested too deeply)`;
    if (seen.has(v)) return `${path || '$'} (cycle)`;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const hit = walk(v[i], `${path}[${i}]`, depth + 1);
        if (hit) return hit;
      }
      return null;
    }
    for (const [key, child] of Object.entries(v)) {
      const here = path ? `${path}.${key}` : key;
      if (FORBIDDEN_FIELD.test(key)) return here;
      const hit = walk(child, here, depth + 1);
      if (hit) return hit;
    }
    return null;
  };
  return walk(value, '', 0);
}

const KMS_NAMES: ReadonlySet<string> = new Set(KMS_EXCEPTION_NAMES);

/** A typed KMS error (by shape, so an error from another copy of the class still counts). */
export function isKmsErrorLike(err: unknown): err is Error & { __type: KmsExceptionName } {
  if (!(err instanceof Error)) return false;
  const type = (err as { __type?: unknown }).__type;
  return typeof type === 'string' && KMS_NAMES.has(type);
}

export function errorEnvelope(__type: string, message: string): IpcResult<never> {
  return { ok: false, error: { __type, message } };
}

/** Tokens belong to the sending window (its WebContents id) or, without one, to its frame. */
export function callerOf(event: IpcInvokeEventLike): CallContext {
  if (event.sender && typeof event.sender.id === 'number') return { owner: `contents:${event.sender.id}` };
  const f = event.senderFrame;
  return { owner: f ? `frame:${f.processId}:${f.routingId}` : 'frame:none' };
}

export function registerVaultIpc(ipc: IpcMainLike, service: VaultServiceLike, opts: RegisterVaultIpcOptions): () => void {
  const log = opts.log ?? ((message: string, detail?: unknown) => console.error(`[ipc] ${message}`, detail ?? ''));
  const tokens = opts.tokens ?? new FileTokenRegistry();
  const ops = createAppOperations(service, {
    dialogs: opts.dialogs,
    tokens,
    defaultSaveDir: opts.defaultSaveDir ?? (() => homedir()),
    ...(opts.vaultDir ? { vaultDir: opts.vaultDir } : {}),
    ...(opts.restore ? { restore: opts.restore } : {}),
    ...(opts.openedFiles ? { openedFiles: opts.openedFiles } : {}),
  });
  const asOps = ops as unknown as Record<string, ((req: unknown, ctx: CallContext) => Promise<unknown>) | undefined>;

  const handlerFor =
    (op: OperationName): IpcHandlerLike =>
    async (event, ...args) => {
      if (!opts.isTrustedSender(event.senderFrame)) {
        log(`refused ${op} from an untrusted sender`, event.senderFrame?.url ?? '(no frame)');
        return errorEnvelope('AccessDeniedException', UNTRUSTED_SENDER_MESSAGE);
      }
      if (args.length > 1) {
        return errorEnvelope('ValidationException', `Invalid ${op} request. Expected at most one argument, got ${args.length}.`);
      }
      const checked = validateRequest(op, args[0]);
      if (!checked.ok) return errorEnvelope('ValidationException', checked.message);

      const method = asOps[op];
      if (typeof method !== 'function') {
        return errorEnvelope('UnsupportedOperationException', `${op} is not available in this build of Key Vault.`);
      }
      let value: unknown;
      try {
        value = await method(checked.value, callerOf(event));
      } catch (err) {
        if (isKmsErrorLike(err)) return errorEnvelope(err.__type, err.message);
        log(`${op} failed unexpectedly`, err);
        return errorEnvelope('KMSInternalException', GENERIC_INTERNAL_MESSAGE);
      }

      const forbidden = findForbiddenField(value);
      if (forbidden) {
        log(`refused to send the ${op} response: field "${forbidden}" must never leave main`);
        return errorEnvelope('KMSInternalException', FORBIDDEN_RESPONSE_MESSAGE);
      }
      return { ok: true, value } satisfies IpcResult<unknown>;
    };

  // Only the preload calls this channel (window.vault has no method for it): the paths of a real
  // drop it saw. Same sender check; main still checks each path is an existing regular file.
  const dropHandler: IpcHandlerLike = async (event, ...args) => {
    if (!opts.isTrustedSender(event.senderFrame)) return errorEnvelope('AccessDeniedException', UNTRUSTED_SENDER_MESSAGE);
    const checked = validateDropRequest(args.length === 1 ? args[0] : args);
    if (!checked.ok) return errorEnvelope('ValidationException', checked.message);
    try {
      return { ok: true, value: await registerDroppedFiles(tokens, checked.value, callerOf(event)) } satisfies IpcResult<unknown>;
    } catch (err) {
      if (isKmsErrorLike(err)) return errorEnvelope(err.__type, err.message);
      log('registering a drop failed unexpectedly', err);
      return errorEnvelope('KMSInternalException', GENERIC_INTERNAL_MESSAGE);
    }
  };

  for (const op of OPERATION_NAMES) ipc.handle(channelFor(op), handlerFor(op));
  ipc.handle(REGISTER_DROP_CHANNEL, dropHandler);
  return () => {
    for (const op of OPERATION_NAMES) ipc.removeHandler(channelFor(op));
    ipc.removeHandler(REGISTER_DROP_CHANNEL);
  };
}
