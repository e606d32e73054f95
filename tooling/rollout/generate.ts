/**
 * SLO generation: for each spec under tooling/rollout/slo, Sloth (pinned in toolchain.json,
 * .tools/bin/sloth) writes the Prometheus recording rules and multi-window multi-burn-rate
 * alerts to tooling/rollout/rules/<service>.yml, and alert-tests.ts writes the promtool unit
 * tests to tooling/rollout/tests/<service>.yml. `pnpm slo gen` writes into the repo; the
 * drift gate (tooling/gates/slo-drift.ts) writes into a temp dir and compares.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../lab-engine/process.ts';
import { findTool } from '../toolchain/tools.ts';
import { alertTests } from './alert-tests.ts';
import { RULES_DIR, TESTS_DIR, loadSpecs, toSlothYaml } from './spec.ts';

export type GenResult = { ok: true; files: string[] } | { ok: false; message: string };

/** The generated files under base (rules and tests), relative to it, sorted. */
export function generatedSloFiles(base: string): string[] {
  const out: string[] = [];
  for (const dir of [RULES_DIR, TESTS_DIR]) {
    const abs = path.join(base, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs)) if (f.endsWith('.yml')) out.push(`${dir}/${f}`);
  }
  return out.sort();
}

/** Generate rules and tests from root's specs into outRoot (root itself, or a temp dir). */
export async function generateSlo(root: string, outRoot: string): Promise<GenResult> {
  let specs;
  try {
    specs = loadSpecs(root);
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
  if (specs.length === 0) return { ok: false, message: 'no SLO specs under tooling/rollout/slo' };
  const sloth = findTool(root, 'sloth');
  if (!sloth) return { ok: false, message: 'sloth missing from .tools/bin: run pnpm run bootstrap (or see pnpm doctor)' };
  const work = mkdtempSync(path.join(tmpdir(), 'slo-gen-'));
  const files: string[] = [];
  try {
    mkdirSync(path.join(outRoot, RULES_DIR), { recursive: true });
    mkdirSync(path.join(outRoot, TESTS_DIR), { recursive: true });
    for (const { spec } of specs) {
      // Sloth recognises YAML specs only: render the JSON spec for it.
      const input = path.join(work, `${spec.service}.yml`);
      writeFileSync(input, toSlothYaml(spec));
      const rules = `${RULES_DIR}/${spec.service}.yml`;
      const ran = await run(sloth, ['generate', '--no-log', '-i', input, '-o', path.join(outRoot, rules)], { cwd: root, timeoutMs: 60_000 });
      if (ran.code !== 0) return { ok: false, message: `sloth generate failed for ${spec.service}:\n${ran.stdout}${ran.stderr}` };
      const tests = `${TESTS_DIR}/${spec.service}.yml`;
      writeFileSync(path.join(outRoot, tests), alertTests(spec));
      files.push(rules, tests);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { ok: true, files: files.sort() };
}

/** `pnpm slo gen`: removes the generated files (a deleted spec leaves nothing stale), then regenerates. */
export async function regenerateSloInPlace(root: string): Promise<GenResult> {
  for (const rel of generatedSloFiles(root)) rmSync(path.join(root, rel));
  return generateSlo(root, root);
}

/** Committed vs freshly generated, both ways: `differs:`, `missing:` and `stale:` lines. */
export async function sloDrift(root: string): Promise<{ ok: true; count: number } | { ok: false; message: string }> {
  const out = mkdtempSync(path.join(tmpdir(), 'slo-drift-'));
  try {
    const result = await generateSlo(root, out);
    if (!result.ok) return result;
    const drift: string[] = [];
    for (const rel of result.files) {
      const committed = path.join(root, rel);
      if (!existsSync(committed)) drift.push(`missing: ${rel}`);
      else if (!readFileSync(committed).equals(readFileSync(path.join(out, rel)))) drift.push(`differs: ${rel}`);
    }
    for (const rel of generatedSloFiles(root)) if (!result.files.includes(rel)) drift.push(`stale: ${rel}`);
    if (drift.length > 0) return { ok: false, message: `SLO rules/tests are out of date with tooling/rollout/slo (regenerate with pnpm slo gen):\n${drift.join('\n')}` };
    return { ok: true, count: result.files.length };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
