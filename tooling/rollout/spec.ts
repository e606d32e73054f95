/**
 * SLO specs: one Sloth `prometheus/v1` spec per service under tooling/rollout/slo/<service>.json.
 * JSON syntax (the kit has no YAML parser; see DESIGN.md), Sloth's schema and field names, and
 * a few kit rules on top: the file is named after the service, every query selects that
 * service's `job` and carries Sloth's `{{.window}}`. `toSlothYaml` renders a spec as the YAML
 * Sloth reads (Sloth's loader does not recognise JSON input).
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const SPEC_DIR = 'tooling/rollout/slo';
export const RULES_DIR = 'tooling/rollout/rules';
export const TESTS_DIR = 'tooling/rollout/tests';

const slug = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');
const labels = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are [a-zA-Z_][a-zA-Z0-9_]*'), z.string().min(1));
const query = z
  .string()
  .min(1)
  .refine((q) => q.includes('{{.window}}'), 'must use {{.window}} as the range of its rate()s');
const alertLevel = z.strictObject({ labels: labels.optional(), annotations: labels.optional(), disable: z.boolean().optional() });

const slo = z.strictObject({
  name: slug,
  objective: z.number().gt(0, 'must be a percentage above 0').lt(100, 'must be a percentage below 100'),
  description: z.string().min(1),
  labels: labels.optional(),
  sli: z.strictObject({ events: z.strictObject({ error_query: query, total_query: query }) }),
  alerting: z.strictObject({
    name: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'must be an alert name in UpperCamelCase'),
    labels: labels.optional(),
    annotations: labels.optional(),
    page_alert: alertLevel,
    ticket_alert: alertLevel,
  }),
});

export const specSchema = z
  .strictObject({
    version: z.literal('prometheus/v1'),
    service: slug,
    labels: labels.optional(),
    slos: z.array(slo).min(1, 'needs at least one SLO'),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.slos.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['slos', i, 'name'], message: `"${s.name}" is used twice` });
      seen.add(s.name);
      for (const key of ['error_query', 'total_query'] as const) {
        if (!s.sli.events[key].includes(`job="${spec.service}"`)) {
          ctx.addIssue({ code: 'custom', path: ['slos', i, 'sli', 'events', key], message: `must select job="${spec.service}" (the service's own series)` });
        }
      }
    });
  });

export type SloSpec = z.infer<typeof specSchema>;
export type Slo = SloSpec['slos'][number];

/** Parse one spec file's text. Throws one line: `<file>: <field path>: <what is wrong>`. */
export function parseSpec(text: string, file: string): SloSpec {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  const result = specSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'top level';
    throw new Error(`${file}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const expected = path.basename(file, '.json');
  if (result.data.service !== expected) throw new Error(`${file}: service: is "${result.data.service}", the file must be named after it (${result.data.service}.json)`);
  return result.data;
}

export interface SpecFile {
  /** Relative to the repo root, e.g. tooling/rollout/slo/gateway.json. */
  readonly rel: string;
  readonly spec: SloSpec;
}

/** Every spec under tooling/rollout/slo, sorted by file name. Throws on the first bad one. */
export function loadSpecs(root: string): SpecFile[] {
  const dir = path.join(root, SPEC_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const rel = `${SPEC_DIR}/${f}`;
      return { rel, spec: parseSpec(readFileSync(path.join(root, rel), 'utf8'), rel) };
    });
}

/** Error budget as a ratio: 99.9 → 0.001 (rounded to drop float noise). */
export function errorBudget(objective: number): number {
  return Number((1 - objective / 100).toPrecision(12));
}

/** Render JSON data as block YAML (strings double-quoted with JSON escapes, which YAML reads as-is). */
export function toYaml(value: unknown, indent = 0): string {
  const pad = '  '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]\n`;
    return value
      .map((item) => {
        const body = toYaml(item, indent + 1);
        return `${pad}- ${body.slice(pad.length + 2)}`;
      })
      .join('');
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return `${pad}{}\n`;
    return entries
      .map(([k, v]) => {
        const key = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k);
        if (typeof v === 'object' && v !== null && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) return `${pad}${key}:\n${toYaml(v, indent + 1)}`;
        return `${pad}${key}: ${toYaml(v, 0).trimEnd()}\n`;
      })
      .join('');
  }
  return `${pad}${JSON.stringify(value)}\n`;
}

/** The spec as the YAML file Sloth reads. */
export function toSlothYaml(spec: SloSpec): string {
  return toYaml(spec);
}
