/**
 * Group commit for the durability steps of in-place rewrites (rewrapJournal.ts): concurrent
 * rewrites share their sync calls instead of each paying for its own.
 *
 * A caller needs a sync that STARTS after its own change. It joins the sync queued behind the
 * running one, or queues one; every change made before a sync starts is covered by it. So N
 * concurrent callers cost about two syncs per round instead of N.
 *
 * What is shared is a directory's fsync (a journal created or removed in it). A file's own fsync
 * cannot be shared without a filesystem-wide syncfs(2), which Node lacks; running it through
 * `sync -f` was tried and a process spawn per round cost more CPU than the fsyncs it saved.
 */
import { fsyncDir } from './fileIo.js';

interface Slot {
  running: Promise<void> | null;
  queued: Promise<void> | null;
}

const slots = new Map<string, Slot>();

/** Runs `sync` for `key` so that it starts after this call; concurrent callers share runs. */
export function shared(key: string, sync: () => Promise<void>): Promise<void> {
  let slot = slots.get(key);
  if (!slot) slots.set(key, (slot = { running: null, queued: null }));
  const s = slot;
  if (s.queued) return s.queued;
  const start = (): Promise<void> => {
    s.queued = null;
    const run = sync();
    s.running = run;
    const done = (): void => {
      if (s.running === run) s.running = null;
      if (!s.running && !s.queued) slots.delete(key);
    };
    run.then(done, done);
    return run;
  };
  if (!s.running) return start();
  // The running sync may have begun before this caller's change: wait for the next one.
  const queued = s.running.then(start, start);
  s.queued = queued;
  return queued;
}

/** fsync of a directory (a name created or removed in it made durable), shared. */
export function syncDirShared(dir: string): Promise<void> {
  return shared(`dir:${dir}`, () => fsyncDir(dir));
}
