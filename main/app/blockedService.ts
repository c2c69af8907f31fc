/**
 * Stands in for the vault service when the vault failed its integrity check at start-up: every
 * operation answers with that same typed error, so the window opens, the renderer learns why on
 * its first call and shows a blocking state with the error's advice. Nothing can be read, written,
 * encrypted or rotated; only restore-backup (which does not go through this object) can fix it.
 */
import { OPERATION_NAMES } from '../../preload/contract.js';
import type { KmsError } from '../core/errors.js';
import { VaultEventEmitter } from '../vault/vaultService.js';
import type { VaultServiceLike } from './serviceShape.js';

const reasons = new WeakMap<object, KmsError>();

export function createBlockedService(reason: KmsError): VaultServiceLike & { events: VaultEventEmitter; close(): void } {
  const methods: Record<string, () => Promise<never>> = {};
  for (const op of OPERATION_NAMES) methods[op] = () => Promise.reject(reason);
  const service = Object.assign(methods as unknown as VaultServiceLike, { events: new VaultEventEmitter(), close: () => undefined });
  reasons.set(service, reason);
  return service;
}

/** Why this service is blocked, or undefined for a working one (so main asks the person nothing). */
export function blockedReason(service: object): KmsError | undefined {
  return reasons.get(service);
}
