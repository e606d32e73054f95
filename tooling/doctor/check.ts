// Pure part of `pnpm doctor`: turn probe results into rows, a table, a summary and an exit code.
import type { ToolSpec, Toolchain } from '../toolchain/tools.ts';
import { systemFix, type Platform } from '../toolchain/system.ts';
import { compareVersions, parseVersion } from './version.ts';

export type Status = 'ok' | 'missing' | 'too old' | 'wrong version';

/** What probing one tool found. */
export interface Found {
  /** Resolved executable (undefined: not found). */
  path?: string;
  /** Version read from it (undefined: it could not be read). */
  version?: string;
  /** Why the version could not be read (tool broken, timed out, odd output). */
  problem?: string;
  /** The executable ran but its output held no recognisable version. */
  unrecognised?: boolean;
}

export interface Row {
  id: string;
  label: string;
  required: boolean;
  need: string;
  wanted: string;
  found: string;
  status: Status;
  fix?: string;
}

export interface Report {
  rows: Row[];
  exitCode: 0 | 1;
  text: string;
}

export function wanted(spec: ToolSpec): string {
  const min = spec.min;
  if (spec.pinned && min && min !== spec.pinned) return `${spec.pinned} (>= ${shortVersion(min)})`;
  if (spec.pinned) return spec.pinned;
  if (min) return `>= ${shortVersion(min)}`;
  return 'any';
}

/** "22.12.0" -> "22.12", "15.0" -> "15": how people write minimums. */
function shortVersion(v: string): string {
  const p = parseVersion(v);
  if (!p) return v;
  while (p.length > 1 && p[p.length - 1] === 0) p.pop();
  return p.join('.');
}

export function status(spec: ToolSpec, found: Found): Status {
  if (!found.path) return 'missing';
  if (found.version === undefined) return found.unrecognised ? 'wrong version' : 'missing';
  if (parseVersion(found.version) === undefined) return 'wrong version';
  const min = spec.min ?? spec.pinned;
  if (min && compareVersions(found.version, min) < 0) return 'too old';
  if (spec.pinned && compareVersions(found.version, spec.pinned) !== 0) return 'wrong version';
  return 'ok';
}

function foundText(found: Found): string {
  if (!found.path) return 'missing';
  if (found.version !== undefined) return found.version;
  if (found.unrecognised) return 'no version in its output';
  return found.problem ? `broken: ${found.problem}` : 'version unreadable';
}

/**
 * required = spec.required, unless its requiredWhen file does not exist (yet). A system package
 * (`spec.system`) is not required to work in a lab but `pnpm test` needs it: "for tests", with
 * the fix line of the machine's platform.
 */
export function makeRow(spec: ToolSpec, found: Found, fileExists: (rel: string) => boolean, platform?: Platform): Row {
  let required = spec.required;
  let need = spec.for;
  if (required && spec.requiredWhen && !fileExists(spec.requiredWhen)) {
    required = false;
    need = `${spec.for}; no ${spec.requiredWhen} yet`;
  }
  const st = status(spec, found);
  const row: Row = {
    id: spec.id,
    label: spec.label,
    required,
    need: `${required ? 'required' : spec.system ? 'for tests' : 'optional'}: ${need}`,
    wanted: wanted(spec),
    found: foundText(found),
    status: st,
  };
  if (st !== 'ok') row.fix = platform ? systemFix(spec, platform) : spec.fix;
  return row;
}

export function isBlocking(row: Row): boolean {
  return row.required && (row.status === 'missing' || row.status === 'too old');
}

function table(rows: Row[]): string {
  const head = ['tool', 'need', 'wanted', 'found', 'status'];
  const cells = rows.map((r) => [r.label, r.need, r.wanted, r.found, r.status]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]): string =>
    c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function summary(rows: Row[]): string {
  const count = (s: Status): number => rows.filter((r) => r.status === s).length;
  const parts = [`${count('ok')} ok`];
  for (const s of ['missing', 'too old', 'wrong version'] as const) {
    const n = count(s);
    if (n > 0) parts.push(`${n} ${s}`);
  }
  const blocking = rows.filter(isBlocking);
  const verdict =
    blocking.length > 0
      ? `NOT READY: required ${blocking.map((r) => `${r.label} ${r.status}`).join(', ')}`
      : rows.some((r) => r.status !== 'ok')
        ? 'ready (see the notes above)'
        : 'ready';
  return `doctor: ${rows.length} tools, ${parts.join(', ')} — ${verdict}`;
}

export function buildReport(toolchain: Toolchain, results: Map<string, Found>, fileExists: (rel: string) => boolean, platform?: Platform): Report {
  const rows = toolchain.tools.map((spec) => makeRow(spec, results.get(spec.id) ?? {}, fileExists, platform));
  const fixes = rows
    .filter((r) => r.fix)
    .map((r) => `  ${isBlocking(r) ? '✗' : '!'} ${r.label} (${r.status}): ${r.fix ?? ''}`);
  const parts = [table(rows)];
  if (fixes.length > 0) parts.push('', 'To fix:', ...fixes);
  parts.push('', summary(rows));
  return { rows, exitCode: rows.some(isBlocking) ? 1 : 0, text: parts.join('\n') };
}
