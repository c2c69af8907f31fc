/**
 * Runs the vault's catch-up (due rotations, elapsed deletions) on an interval. The app also calls
 * tick() on resume from sleep. Ticks never overlap; a failing tick is reported, not fatal.
 */
import type { MaintenanceResult, VaultService } from './vaultService.js';

export interface RotationScheduler {
  tick(): Promise<MaintenanceResult | undefined>;
  stop(): void;
}

export interface SchedulerOptions {
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

export function startRotationScheduler(service: Pick<VaultService, 'runMaintenance' | 'changed' | 'store'>, opts: SchedulerOptions = {}): RotationScheduler {
  const intervalMs = opts.intervalMs ?? 60_000;
  let running: Promise<MaintenanceResult | undefined> | undefined;
  let lastRevision = service.store.revision;
  const tick = (): Promise<MaintenanceResult | undefined> => {
    running ??= (async () => {
      try {
        const result = await service.runMaintenance();
        // Tell listeners about writes made by other processes (a CLI run) since the last tick.
        const revision = service.store.read().Revision;
        if (revision !== lastRevision) {
          lastRevision = revision;
          service.changed();
        }
        return result;
      } catch (err) {
        opts.onError?.(err);
        return undefined;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref?.();
  return { tick, stop: () => clearInterval(timer) };
}
