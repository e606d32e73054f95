/**
 * The pure parts of `pnpm bench`: argument parsing, percentiles, goals and the printed table.
 * No I/O here, so vitest covers it without timing anything.
 */

export const benchNames = ['lab-check', 'catalog-py', 'catalog-go', 'polyglot'] as const;
export type BenchName = (typeof benchNames)[number];

export interface BenchOptions {
  /** Measured requests of each requests/s run; the latency runs use a share of it. */
  readonly requests: number;
  /** Connections kept busy by the requests/s runs. */
  readonly concurrency: number;
  /** Connections kept busy by the latency runs (fan-out, overshoot): light load on purpose. */
  readonly latencyConcurrency: number;
  readonly json: boolean;
  /** Who drives the req/s runs: `wrk` when installed (auto), or always Node / always wrk. */
  readonly loadgen: 'auto' | 'wrk' | 'node';
  /** lab-check only: how many interleaved runs. */
  readonly runs: number;
}

export const defaultOptions: BenchOptions = { requests: 5000, concurrency: 32, latencyConcurrency: 4, json: false, loadgen: 'auto', runs: 5 };

export type ParsedArgs = { readonly ok: true; readonly name: BenchName; readonly options: BenchOptions } | { readonly ok: false; readonly message: string };

export const usage = `usage: pnpm bench <${benchNames.join('|')}> [--requests N] [--concurrency N] [--latency-concurrency N] [--loadgen auto|wrk|node] [--json] (lab-check: [runs])`;

function positiveInt(flag: string, raw: string | undefined, max: number): number | string {
  if (raw === undefined || raw.startsWith('--')) return `${flag} needs a value`;
  if (!/^[0-9]+$/.test(raw)) return `${flag} ${raw}: not a whole number`;
  const value = Number(raw);
  if (value < 1 || value > max) return `${flag} ${raw}: must be 1..${max}`;
  return value;
}

/** `argv` without node and the script: `<name> [flags]`. Errors are one line, for exit 2. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') return { ok: false, message: usage };
  if (!(benchNames as readonly string[]).includes(name)) return { ok: false, message: `pnpm bench: unknown bench "${name}" (one of ${benchNames.join(', ')})` };
  const bench = name as BenchName;
  let options: BenchOptions = defaultOptions;
  let sawRuns = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const numeric = (key: 'requests' | 'concurrency' | 'latencyConcurrency', max: number): string | undefined => {
      const raw = inline ?? rest[++i];
      const value = positiveInt(flag, raw, max);
      if (typeof value === 'string') return value;
      options = { ...options, [key]: value };
      return undefined;
    };
    let problem: string | undefined;
    if (bench === 'lab-check') {
      if (!sawRuns && /^[0-9]+$/.test(arg)) {
        const value = positiveInt('runs', arg, 100);
        if (typeof value === 'string') problem = value;
        else options = { ...options, runs: value };
        sawRuns = true;
      } else problem = `unexpected argument "${arg}" (lab-check takes [runs])`;
    } else if (flag === '--requests') problem = numeric('requests', 10_000_000);
    else if (flag === '--concurrency') problem = numeric('concurrency', 1024);
    else if (flag === '--latency-concurrency') problem = numeric('latencyConcurrency', 256);
    else if (flag === '--json' && inline === undefined) options = { ...options, json: true };
    else if (flag === '--loadgen') {
      const raw = inline ?? rest[++i];
      if (raw === 'auto' || raw === 'wrk' || raw === 'node') options = { ...options, loadgen: raw };
      else problem = `--loadgen ${raw ?? ''}: one of auto, wrk, node`.replace(' :', ':');
    }
    else problem = `unknown option "${arg}"`;
    if (problem !== undefined) return { ok: false, message: `pnpm bench ${bench}: ${problem}` };
  }
  return { ok: true, name: bench, options };
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0 || !(p >= 0 && p <= 100)) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

/** A measured figure with its goal: `at-most` for latencies, `at-least` for a throughput ratio. */
export interface Metric {
  readonly name: string;
  readonly value: number;
  readonly unit: 'ms' | 'req/s' | '%';
  readonly goal?: { readonly kind: 'at-most' | 'at-least'; readonly limit: number };
  /** Free text for the ratio column, e.g. "1.07x slowest". */
  readonly ratio?: string;
}

export type Verdict = 'ok' | 'over' | 'under' | '';

export function verdict(metric: Metric): Verdict {
  if (!metric.goal || Number.isNaN(metric.value)) return '';
  if (metric.goal.kind === 'at-most') return metric.value <= metric.goal.limit ? 'ok' : 'over';
  return metric.value >= metric.goal.limit ? 'ok' : 'under';
}

export function formatValue(value: number, unit: Metric['unit']): string {
  if (Number.isNaN(value)) return 'n/a';
  if (unit === 'req/s') return `${Math.round(value)} req/s`;
  if (unit === '%') return `${value.toFixed(0)}%`;
  return `${value.toFixed(1)} ms`;
}

export function formatGoal(metric: Metric): string {
  if (!metric.goal) return '';
  return `${metric.goal.kind === 'at-most' ? '<=' : '>='} ${formatValue(metric.goal.limit, metric.unit)}`;
}

/** How far a missed goal is missed, in the metric's unit: "+3.2 ms", "-12%" (empty when met). */
export function missedBy(metric: Metric): string {
  const v = verdict(metric);
  if (v !== 'over' && v !== 'under' || !metric.goal) return '';
  const delta = metric.value - metric.goal.limit;
  const sign = delta > 0 ? '+' : '-';
  return `${sign}${formatValue(Math.abs(delta), metric.unit).replace(' req/s', '')}`.replace('%', ' pts');
}

/** Left-aligned columns separated by two spaces, a dashed rule under the header. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function metricRow(metric: Metric): string[] {
  const v = verdict(metric);
  const miss = missedBy(metric);
  return [metric.name, formatValue(metric.value, metric.unit), formatGoal(metric), metric.ratio ?? '', v && miss ? `${v} (${miss})` : v];
}

/** One table for one service: metric, value, goal, ratio, ok/over. */
export function metricsTable(metrics: readonly Metric[]): string {
  return renderTable(['metric', 'value', 'goal', 'ratio', 'ok/over'], metrics.map(metricRow));
}

/** Services side by side: for each metric name, every service's value, goal, ratio and verdict. */
export function sideBySide(columns: readonly { readonly label: string; readonly metrics: readonly Metric[] }[]): string {
  const names = [...new Set(columns.flatMap((c) => c.metrics.map((m) => m.name)))];
  const header = ['metric', ...columns.flatMap((c) => [`${c.label} value`, 'goal', 'ratio', 'ok/over'])];
  const rows = names.map((name) => [
    name,
    ...columns.flatMap((c) => {
      const metric = c.metrics.find((m) => m.name === name);
      return metric ? metricRow(metric).slice(1) : ['', '', '', ''];
    }),
  ]);
  return renderTable(header, rows);
}
