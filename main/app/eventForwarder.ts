/**
 * Forwards vault service events to the window (`webContents.send(eventChannelFor(ev), payload)`).
 * Until the renderer is ready (did-finish-load) events are queued, and they are queued again
 * while it reloads, so a rotation that happens during start-up is not lost. Payloads are checked
 * for key-material-like fields exactly as IPC responses are.
 */
import { EVENT_NAMES, eventChannelFor } from '../../preload/contract.js';
import type { EventName, RotationEvent, VaultEvents } from '../../preload/contract.js';
import { findForbiddenField } from './ipcHandlers.js';

export interface EventSourceLike {
  on(event: string, listener: (payload: unknown) => void): unknown;
  off(event: string, listener: (payload: unknown) => void): unknown;
}

export interface EventTargetLike {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export interface EventForwarder {
  /** The renderer finished loading: flush the queue, then send directly. */
  markReady(): void;
  /** The renderer started (re)loading: queue again. */
  markNotReady(): void;
  /** Events waiting for the renderer. */
  pending(): number;
  dispose(): void;
}

export const DEFAULT_MAX_QUEUED_EVENTS = 500;

export function createEventForwarder(opts: {
  source: EventSourceLike;
  target: EventTargetLike;
  maxQueued?: number;
  log?: (message: string) => void;
}): EventForwarder {
  const maxQueued = opts.maxQueued ?? DEFAULT_MAX_QUEUED_EVENTS;
  const log = opts.log ?? ((m: string) => console.warn(`[events] ${m}`));
  let ready = false;
  let disposed = false;
  const queue: { channel: string; payload: unknown }[] = [];

  const deliver = (channel: string, payload: unknown): void => {
    if (opts.target.isDestroyed()) return;
    opts.target.send(channel, payload);
  };

  const listeners = new Map<EventName, (payload: unknown) => void>();
  for (const ev of EVENT_NAMES) {
    const channel = eventChannelFor(ev);
    const listener = (payload: unknown): void => {
      if (disposed) return;
      const forbidden = findForbiddenField(payload);
      if (forbidden) {
        log(`dropped a ${ev} event: field "${forbidden}" must never leave main`);
        return;
      }
      if (ready) {
        deliver(channel, payload);
        return;
      }
      queue.push({ channel, payload });
      if (queue.length > maxQueued) queue.shift();
    };
    listeners.set(ev, listener);
    opts.source.on(ev, listener);
  }

  return {
    markReady() {
      if (disposed) return;
      ready = true;
      while (queue.length > 0) {
        const next = queue.shift()!;
        deliver(next.channel, next.payload);
      }
    },
    markNotReady() {
      ready = false;
    },
    pending: () => queue.length,
    dispose() {
      disposed = true;
      queue.length = 0;
      for (const [ev, listener] of listeners) opts.source.off(ev, listener);
      listeners.clear();
    },
  };
}

/** What a desktop notification says about a rotation; null when the user needs no notice. */
export function rotationNotice(event: VaultEvents['rotation'] | RotationEvent): { title: string; body: string } | null {
  if (event.RotationType !== 'AUTOMATIC') return null;
  return {
    title: 'Key rotated',
    body: `Key ${event.KeyId} was rotated on schedule. New version ${event.KeyVersionId} now encrypts; older versions still decrypt.`,
  };
}
