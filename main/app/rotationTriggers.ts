/**
 * When the rotation scheduler is asked to look again: once at launch (catch-up after the app was
 * closed), on its own interval, and when the machine wakes up or the screen is unlocked (timers
 * do not run while asleep). Overlapping requests share one tick.
 */
export interface RotationSchedulerLike {
  stop(): void;
  tick(): Promise<unknown>;
}

export interface PowerMonitorLike {
  on(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
  off(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
}

export const DEFAULT_ROTATION_CHECK_MS = 60_000;
const MIN_ROTATION_CHECK_MS = 1_000;

/** `KEYVAULT_ROTATION_CHECK_MS` when it is a sane whole number, the default otherwise. */
export function rotationCheckIntervalMs(env: Record<string, string | undefined>): number {
  const raw = env.KEYVAULT_ROTATION_CHECK_MS;
  if (!raw || !/^[0-9]{1,9}$/.test(raw)) return DEFAULT_ROTATION_CHECK_MS;
  return Math.max(MIN_ROTATION_CHECK_MS, Number(raw));
}

/** Wraps `tick` so that calls arriving while one runs join it instead of starting another. */
export function coalesce(tick: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => {
    if (running) return running;
    running = (async () => {
      try {
        await tick();
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

export function wireRotationTriggers(opts: {
  scheduler: RotationSchedulerLike;
  powerMonitor: PowerMonitorLike;
  log?: (message: string, err: unknown) => void;
}): { checkNow(reason: string): Promise<void>; dispose(): void } {
  const log = opts.log ?? ((m: string, e: unknown) => console.error(`[rotation] ${m}`, e));
  const tick = coalesce(() => opts.scheduler.tick());
  const checkNow = (reason: string): Promise<void> => tick().catch((err: unknown) => log(`rotation check after ${reason} failed`, err));
  const onResume = (): void => void checkNow('resume');
  const onUnlock = (): void => void checkNow('unlock-screen');
  opts.powerMonitor.on('resume', onResume);
  opts.powerMonitor.on('unlock-screen', onUnlock);
  return {
    checkNow,
    dispose() {
      opts.powerMonitor.off('resume', onResume);
      opts.powerMonitor.off('unlock-screen', onUnlock);
      opts.scheduler.stop();
    },
  };
}
