/**
 * The app's own electron-vite config for main and preload only, written to test-results/shell-build
 * (inside the repo, so the bundle's external packages resolve from node_modules). The renderer is
 * left out: rebuilding out/renderer would pull it from under e2e tests running alongside.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import app from '../../../electron.vite.config.js';

const outDir = (part: string): string => fileURLToPath(new URL(`../../../test-results/shell-build/${part}`, import.meta.url));
const base = app as { main: { build: object }; preload: { build: object } };

export default defineConfig({
  main: { ...base.main, build: { ...base.main.build, outDir: outDir('main') } },
  preload: { ...base.preload, build: { ...base.preload.build, outDir: outDir('preload') } },
});
