#!/usr/bin/env node
/**
 * Lists import cycles among the project's own modules (main/, preload/, renderer/), type-only
 * imports included. Exit code 1 when there is one. Usage: node scripts/import-cycles.mjs [ROOT]
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = process.argv[2] ? resolve(process.argv[2]) : resolve(dirname(new URL(import.meta.url).pathname), '..');
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) files.push(p);
  }
};
for (const d of ['main', 'preload', 'renderer']) if (existsSync(join(root, d))) walk(join(root, d));

const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
function target(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const c of [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}
const graph = new Map();
for (const f of files) {
  const deps = new Set();
  for (const m of readFileSync(f, 'utf8').matchAll(importRe)) {
    const t = target(f, m[1] ?? m[2]);
    if (t) deps.add(t);
  }
  graph.set(f, [...deps]);
}

// Tarjan's strongly connected components: every component with more than one module is a cycle.
let index = 0;
const idx = new Map(),
  low = new Map(),
  stack = [],
  on = new Set(),
  cycles = [];
function strong(v) {
  idx.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  on.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      on.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(comp);
  }
}
for (const f of graph.keys()) if (!idx.has(f)) strong(f);
for (const c of cycles)
  console.log(
    `cycle: ${c
      .map((f) => relative(root, f))
      .sort()
      .join(' <-> ')}`,
  );
console.log(`${graph.size} modules, ${cycles.length} import cycle(s)`);
process.exit(cycles.length > 0 ? 1 : 0);
