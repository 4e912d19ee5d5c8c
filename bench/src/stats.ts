/** Latency samples in ms → percentiles. */
export function percentiles(samples: number[]): { n: number; p50: number; p95: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN);
  return { n: s.length, p50: at(50), p95: at(95), p99: at(99) };
}

export type Figure = {
  name: string;
  workload: string;
  samples: number;
  value: number;
  unit: string;
  p50?: number;
  p95?: number;
  p99?: number;
  ratio?: { label: string; value: number };
};

/** Runs `count` tasks `concurrency` at a time; answers per-task latencies (ms) and the wall time. */
export async function timedPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<{ latencies: number[]; ms: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await task(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, ms: performance.now() - started };
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits)) : '-');

export function table(figures: Figure[]): string {
  const rows = figures.map((f) => [f.name, f.workload, String(f.samples), `${fmt(f.value)} ${f.unit}`, f.p50 === undefined ? '' : `${fmt(f.p50, 2)} / ${fmt(f.p95!, 2)} / ${fmt(f.p99!, 2)}`, f.ratio ? `${f.ratio.label} ${fmt(f.ratio.value, 2)}` : '']);
  const head = ['figure', 'workload', 'samples', 'result', 'p50 / p95 / p99 ms', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
