/** The vault's typed event emitter: rotation, file progress and vault-change events. */
import { EventEmitter } from 'node:events';
import type { VaultEvents } from '../core/serviceTypes.js';

export class VaultEventEmitter extends EventEmitter {
  override emit<E extends keyof VaultEvents>(event: E, payload: VaultEvents[E]): boolean {
    return super.emit(event, payload);
  }
  override on<E extends keyof VaultEvents>(event: E, listener: (payload: VaultEvents[E]) => void): this {
    return super.on(event, listener);
  }
  override off<E extends keyof VaultEvents>(event: E, listener: (payload: VaultEvents[E]) => void): this {
    return super.off(event, listener);
  }
}
