/**
 * Entry of the `keyvault` CLI (bundled into out/cli/keyvault.mjs, started by bin/keyvault).
 * Output is flushed before exiting, and a closed pipe on stdout (`keyvault list-keys | head`)
 * ends the process quietly.
 */
import { reportError, runCli } from './runCli.js';
import { silenceDefaultWarningPrinter } from './warningCapture.js';

// stderr holds at most one JSON document: warnings go into the command's JSON output instead.
silenceDefaultWarningPrinter();

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Whatever escapes (a failure in a callback) is still reported as JSON, never as a raw crash.
const crash = (err: unknown): void => {
  const code = reportError(err, { stdout: () => undefined, stderr: (t) => process.stderr.write(t), env: process.env });
  process.exit(code);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const pending: Promise<void>[] = [];
const writer = (stream: NodeJS.WriteStream) => (text: string) => {
  pending.push(new Promise<void>((resolve) => stream.write(text, () => resolve())));
};

const code = await runCli(process.argv.slice(2), { stdout: writer(process.stdout), stderr: writer(process.stderr), env: process.env });
process.exitCode = code;
await Promise.all(pending);
// A keychain call that never answered would hold the exit for D-Bus's timeout (~50 s): release it.
const { createKeytarKeychain, keychainCallsTimedOut } = await import('../keychain/keychain.js');
if (keychainCallsTimedOut() > 0) {
  const { exitPastStuckKeychain } = await import('./stuckKeychain.js');
  await exitPastStuckKeychain(code, () => createKeytarKeychain({ timeoutMs: 1500 }).getSecret('keyvault-wake'));
}
process.exit(code);
