/** Shared printing for benchmarks: value, target, and ratio against a reference from the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: number;
  better: 'lower' | 'higher';
  reference?: { name: string; value: number; unit?: string };
  /** How the target is judged when it is a ratio to the reference rather than an absolute. */
  targetIsRatio?: boolean;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(3));

export function meetsTarget(r: BenchResult): boolean | undefined {
  if (r.target === undefined) return undefined;
  const v = r.targetIsRatio ? ratio(r) : r.value;
  if (v === undefined) return undefined;
  return r.better === 'lower' ? v <= r.target : v >= r.target;
}

export function ratio(r: BenchResult): number | undefined {
  return r.reference && r.reference.value !== 0 ? r.value / r.reference.value : undefined;
}

export function report(suite: string, results: BenchResult[]): void {
  console.log(`\n== bench/${suite}`);
  for (const r of results) {
    const rr = ratio(r);
    const ok = meetsTarget(r);
    const target = r.target === undefined ? '' : ` target ${r.better === 'lower' ? '<=' : '>='} ${fmt(r.target)}${r.targetIsRatio ? 'x' : ' ' + r.unit}`;
    console.log(`${ok === undefined ? '  ' : ok ? 'OK' : '!!'} ${r.name}: ${fmt(r.value)} ${r.unit}${target}`);
    if (r.reference) {
      console.log(
        `     reference (${r.reference.name}): ${fmt(r.reference.value)} ${r.reference.unit ?? r.unit}; ratio ${rr === undefined ? 'n/a' : fmt(rr) + 'x'}`,
      );
    }
  }
}
