/**
 * `pnpm reliability`'s one table: every figure is something an outside tester measured against a
 * running service (never a constant), with the most it may be. A figure with `max` fails the run
 * when it is over; an `info` figure (how many cases were tried, a p99) is printed for the reader.
 */

export interface Figure {
  /** The service measured: `python-catalog`, `go-catalog`, `gateway`, `recommender`. */
  readonly target: string;
  /** What was measured, e.g. `bad tokens accepted`. */
  readonly measure: string;
  readonly value: number;
  readonly unit?: 'count' | 'ms' | 'MiB' | 'ratio';
  /** The most it may be (inclusive); absent = printed only. */
  readonly max?: number;
  /** One line that says what was tried, e.g. `14 kinds of bad token × 3 routes`. */
  readonly detail?: string;
}

export type Verdict = 'ok' | 'over' | 'info';

export function verdictOf(figure: Figure): Verdict {
  if (figure.max === undefined) return 'info';
  return figure.value <= figure.max ? 'ok' : 'over';
}

/** A section's outcome: its figures, or why it could not measure (a failure, never a skip). */
export type SectionOutcome = { readonly section: string; readonly figures: readonly Figure[] } | { readonly section: string; readonly error: string };

export interface ReliabilityReport {
  readonly schema: 'language-tracks/reliability@1';
  readonly ok: boolean;
  readonly ms: number;
  readonly sections: readonly SectionOutcome[];
}

export function reportOf(sections: readonly SectionOutcome[], ms: number): ReliabilityReport {
  const ok = sections.every((s) => !('error' in s) && s.figures.every((f) => verdictOf(f) !== 'over'));
  return { schema: 'language-tracks/reliability@1', ok, ms: Math.round(ms), sections };
}

function formatValue(f: Figure): string {
  const n = f.unit === 'ratio' ? `${(f.value * 100).toFixed(1)} %` : Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(1);
  return f.unit === 'ms' || f.unit === 'MiB' ? `${n} ${f.unit}` : n;
}

function formatMax(f: Figure): string {
  if (f.max === undefined) return '';
  if (f.unit === 'ratio') return `${(f.max * 100).toFixed(1)} %`;
  return f.unit === 'ms' || f.unit === 'MiB' ? `${String(f.max)} ${f.unit}` : String(f.max);
}

/** The text table: one row per figure, a FAILED line per section that could not measure. */
export function renderTable(report: ReliabilityReport): string {
  const rows: string[][] = [['section', 'target', 'measure', 'value', 'max', '', 'tried']];
  const failures: string[] = [];
  for (const s of report.sections) {
    if ('error' in s) {
      failures.push(`FAILED ${s.section}: ${s.error}`);
      continue;
    }
    for (const f of s.figures) {
      const v = verdictOf(f);
      rows.push([s.section, f.target, f.measure, formatValue(f), formatMax(f), v === 'over' ? 'OVER' : v === 'ok' ? 'ok' : '', f.detail ?? '']);
    }
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]): string => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const table = [line(rows[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  const over = report.sections.flatMap((s) => ('error' in s ? [] : s.figures.filter((f) => verdictOf(f) === 'over')));
  const summary = report.ok
    ? `reliability: every figure within its limit (${(report.ms / 1000).toFixed(0)} s)`
    : `reliability: ${String(over.length)} figure(s) over the limit, ${String(failures.length)} section(s) could not measure (${(report.ms / 1000).toFixed(0)} s)`;
  return [...table, ...failures, summary].join('\n');
}
