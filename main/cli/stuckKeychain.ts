/**
 * A keychain daemon that stops answering (stopped, hung) leaves keytar's call blocked in a libuv
 * worker thread for D-Bus's own timeout (~25 s per call). Node's exit joins those threads, so the
 * CLI printed its error after 5 s and then needed ~50 s more to exit.
 *
 * On Linux the way out is to close this process's D-Bus socket(s): the next keychain call makes
 * GDBus notice, every pending call fails at once ("connection is closed") and the threads are
 * free. GDBus then raises SIGTERM for the lost session bus; that signal is caught here and ends the
 * process with the exit code already decided. Only used at the very end, after output is flushed.
 */
import { closeSync, readdirSync, readlinkSync } from 'node:fs';

/** Frees threads stuck in keychain calls, then exits with `code`. Returns only where it cannot help. */
export async function exitPastStuckKeychain(code: number, wakeKeychain: () => Promise<unknown>): Promise<void> {
  if (process.platform !== 'linux') return;
  process.on('SIGTERM', () => process.exit(code));
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return;
  }
  for (const name of fds) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= 2) continue; // never stdin/stdout/stderr, whatever they are
    try {
      if (readlinkSync(`/proc/self/fd/${name}`).startsWith('socket:')) closeSync(fd);
    } catch {
      // gone meanwhile
    }
  }
  // A fresh call wakes GDBus's worker, which then sees the closed socket and fails everything.
  await Promise.race([wakeKeychain().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000))]);
  process.exit(code);
}
