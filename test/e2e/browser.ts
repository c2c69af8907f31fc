/**
 * Shared by the e2e tests and the UI benchmark: a tiny static HTTP server for the renderer build
 * (out/renderer) on 127.0.0.1 with a random port, and a headless Chromium launched the same way
 * every time.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RENDERER_OUT = join(REPO_ROOT, 'out', 'renderer');
export const CHROMIUM_PATH = process.env.KEYVAULT_CHROMIUM ?? '/usr/bin/chromium';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface RendererServer {
  /** URL of index.html. */
  url: string;
  close(): Promise<void>;
}

export function assertRendererBuilt(): void {
  if (!existsSync(join(RENDERER_OUT, 'index.html'))) {
    throw new Error(`No renderer build in ${RENDERER_OUT}: run \`npm run build:renderer\` first.`);
  }
}

/** Serves out/renderer (and nothing outside it). */
export async function startRendererServer(root: string = RENDERER_OUT): Promise<RendererServer> {
  const base = resolve(root);
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(base, pathname === '/' ? 'index.html' : pathname));
    const type = CONTENT_TYPES[extname(file).toLowerCase()];
    if (!file.startsWith(base + sep) || !type) {
      res.writeHead(404).end('Not found');
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body),
      () => res.writeHead(404).end('Not found'),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/index.html`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
