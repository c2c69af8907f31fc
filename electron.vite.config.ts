/**
 * electron-vite build of the three parts into out/:
 *   out/main/index.js       main process (ESM, since package.json is "type": "module"); npm
 *                           dependencies stay external (keytar is native and loads at run time)
 *   out/preload/index.cjs   the sandboxed preload: one CommonJS file with everything bundled,
 *                           because a sandboxed preload can require nothing but 'electron'
 *   out/renderer/           the React renderer from renderer/index.html
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

const fromRoot = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** The packaged renderer must carry a CSP <meta> without eval or remote origins. */
function requireStrictCspMeta(): Plugin {
  return {
    name: 'keyvault:require-strict-csp',
    apply: 'build',
    transformIndexHtml(html) {
      const meta = /<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=["']([^"']+)["']/i.exec(html);
      if (!meta) throw new Error('renderer/index.html has no Content-Security-Policy <meta> tag.');
      const csp = meta[1] ?? '';
      if (/unsafe-eval|unsafe-inline|https?:|wss?:|\*/.test(csp)) {
        throw new Error(`renderer/index.html CSP is not strict enough: ${csp}`);
      }
      return html;
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: fromRoot('./out/main'),
      externalizeDeps: true,
      rollupOptions: {
        input: { index: fromRoot('./main/app/index.ts') },
        external: ['keytar'],
      },
    },
  },
  preload: {
    build: {
      outDir: fromRoot('./out/preload'),
      // Sandboxed: bundle every import (the contract's runtime list included) into one file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: fromRoot('./preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: fromRoot('./renderer'),
    base: './',
    plugins: [react(), requireStrictCspMeta()],
    build: {
      outDir: fromRoot('./out/renderer'),
      target: 'chrome120',
      // electron-vite leaves the renderer unminified; the shipped page loads faster minified.
      minify: true,
      rollupOptions: { input: { index: fromRoot('./renderer/index.html') } },
    },
  },
});
