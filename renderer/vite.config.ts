/**
 * Stand-alone build of the renderer (`npm run build:renderer`): root is renderer/, output goes to
 * out/renderer with a relative base so index.html loads from file:// as well as over HTTP.
 */
// This file runs in Node at build time; it is not renderer code.
// eslint-disable-next-line no-restricted-imports
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../out/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: false,
  },
});
