/**
 * Runs test/support/faultWorker.ts as child processes. The worker is bundled once with esbuild
 * (starting TypeScript through tsx takes seconds; a bundle starts in a fraction of that), next to
 * node_modules so that the native keytar module resolves.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface WorkerLine {
  op: string;
  [field: string]: unknown;
}

export interface BuiltWorker {
  file: string;
  remove(): void;
}

export function buildFaultWorker(): Promise<BuiltWorker> {
  return buildWorker('faultWorker');
}

/** Bundles test/support/<name>.ts into a throwaway .mjs that child processes run (and SIGKILL tests kill). */
export async function buildWorker(name: string): Promise<BuiltWorker> {
  const dir = join(root, 'node_modules', '.cache', 'keyvault-fault-tests');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${process.pid}-${Date.now()}.mjs`);
  await build({
    entryPoints: [join(root, 'test', 'support', `${name}.ts`)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['keytar'],
    banner: { js: "import { createRequire as __kvCreateRequire } from 'node:module'; const require = __kvCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return { file, remove: () => rmSync(file, { force: true }) };
}

export interface RunningWorker {
  child: ChildProcessWithoutNullStreams;
  /** Complete lines received so far (a line cut by a kill is not included). */
  lines: WorkerLine[];
  /** Resolves when the worker printed `ready` (its vault is open), or rejects if it ended first. */
  ready: Promise<void>;
  /** Resolves when the process has exited and its output is drained. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

export function startWorker(worker: BuiltWorker, args: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): RunningWorker {
  const child = spawn(process.execPath, [worker.file, JSON.stringify(args)], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: WorkerLine[] = [];
  let partial = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  let failReady: (err: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      const parsed = JSON.parse(line) as WorkerLine;
      lines.push(parsed);
      if (parsed.op === 'ready') markReady();
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      failReady(new Error(`worker ended before it was ready (code ${String(code)}, signal ${String(signal)}): ${stderr}`));
      resolve({ code, signal, stderr });
    });
  });
  return { child, lines, ready, exited };
}
