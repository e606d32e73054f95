/**
 * The SLO gates (scope kit): `kit: slo rules drift` (committed rules and alert tests equal a
 * fresh `pnpm slo gen`), `kit: promtool check rules` on every rule file and `kit: promtool test
 * rules` on every alert unit test. promtool is optional (Debian's prometheus package): without
 * it the two promtool gates are skipped with the reason, except with CI=true, where they run
 * and fail as missing (CI installs it: .ci/run) — the kit's PostgreSQL rule.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Gate } from '../gates/gates.ts';
import { findTool } from '../toolchain/tools.ts';
import { RULES_DIR, TESTS_DIR } from './spec.ts';

export const ALERTS_DIR = 'tooling/rollout/alerts';

/** The unit tests of the hand-written alerts: lab 16's acceptance test (it reads ALERTS_DIR). */
export const HAND_WRITTEN_ALERT_TESTS = ['labs/16-roll-it-out/check/page-alert.test.yml'];

export const PROMTOOL_FIX = 'apt-get install -y --no-install-recommends prometheus';

function ymlFiles(root: string, dir: string): string[] {
  const abs = path.join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).filter((f) => f.endsWith('.yml')).sort().map((f) => `${dir}/${f}`);
}

export function sloGates(root: string, env: NodeJS.ProcessEnv = process.env, findPromtool: () => string | undefined = () => findTool(root, 'promtool')): Gate[] {
  const promtool = findPromtool();
  // Sloth's generated rules and the hand-written ones (lab 16's page alert, tested by the lab's check).
  const rules = [...ymlFiles(root, RULES_DIR), ...ymlFiles(root, ALERTS_DIR)];
  const tests = [...ymlFiles(root, TESTS_DIR), ...HAND_WRITTEN_ALERT_TESTS.filter((f) => existsSync(path.join(root, f)))];
  const missing = promtool === undefined && env['CI'] !== 'true' ? `promtool not installed (optional here, required when CI=true): ${PROMTOOL_FIX}` : undefined;
  const command = promtool ?? 'promtool';
  const skip = (none: string, files: string[]): { skip?: string } => (files.length === 0 ? { skip: none } : missing !== undefined ? { skip: missing } : {});
  return [
    { name: 'kit: slo rules drift', scope: 'kit', command: process.execPath, args: [path.join(root, 'tooling', 'gates', 'slo-drift.ts')], cwd: root },
    { name: 'kit: promtool check rules', scope: 'kit', command, args: ['check', 'rules', ...rules], cwd: root, ...skip(`no rule files under ${RULES_DIR}`, rules) },
    { name: 'kit: promtool test rules', scope: 'kit', command, args: ['test', 'rules', ...tests], cwd: root, ...skip(`no alert tests under ${TESTS_DIR}`, tests) },
  ];
}
