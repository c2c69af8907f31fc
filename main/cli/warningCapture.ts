/**
 * Node prints process warnings (`(node:PID) Warning: ...`) on stderr, which breaks the CLI's
 * promise that stderr holds at most one JSON error document. The CLI silences Node's printer and
 * collects the warnings of a command instead, so they can go into its JSON output (`Warnings`).
 */

/** Removes Node's default warning printer for this process (the CLI entry calls it once). */
export function silenceDefaultWarningPrinter(): void {
  process.removeAllListeners('warning');
}

export interface WarningCapture {
  /** Waits one turn of the event loop (warnings are delivered asynchronously), stops and returns them. */
  finish(): Promise<string[]>;
}

export function captureWarnings(): WarningCapture {
  const messages: string[] = [];
  const listener = (warning: Error): void => {
    messages.push(warning.name && warning.name !== 'Warning' ? `${warning.name}: ${warning.message}` : warning.message);
  };
  process.on('warning', listener);
  return {
    async finish() {
      await new Promise<void>((resolve) => setImmediate(resolve));
      process.off('warning', listener);
      return messages;
    },
  };
}

/** `result` with the warnings added as `Warnings` (only when there are some). */
export function withWarnings(result: unknown, warnings: readonly string[]): unknown {
  if (warnings.length === 0) return result;
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) return { ...result, Warnings: warnings };
  return { Result: result, Warnings: warnings };
}
