/**
 * `pnpm test` — the whole suite: every gate of tooling/gates/gates.ts (typecheck, vitest, every
 * language gate, security gates, slides, then `pnpm kit verify`), printed as one table by
 * tooling/gates/runner.ts. Exit 0 only when no gate failed.
 *
 * `pnpm test --repeat N [--load K]` — the flake hunt (tooling/gates/flake-hunt.ts): the
 * timing-sensitive gates N times in suite order, optionally beside K CPU-bound neighbours, and
 * per test how many runs failed. Exit 0 only when no run failed; 2 on bad usage (one line).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { huntFlakes, huntReport, parseTestArgs } from '../tooling/gates/flake-hunt.ts';
import { allGates } from '../tooling/gates/gates.ts';
import { runAndReport } from '../tooling/gates/runner.ts';
import { stopAllChildren } from '../tooling/lab-engine/process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

process.on('SIGINT', () => {
  stopAllChildren();
  process.exit(130);
});

const parsed = parseTestArgs(process.argv.slice(2));
if (typeof parsed === 'string') {
  console.log(`test: ${parsed}`);
  process.exitCode = 2;
} else if (parsed.repeat !== undefined) {
  const runs = await huntFlakes(allGates(root), { root, repeat: parsed.repeat, load: parsed.load, log: (s) => console.log(s) });
  const report = huntReport(runs, parsed.repeat);
  console.log(report.text);
  process.exitCode = report.exitCode;
} else {
  const { failed } = await runAndReport('pnpm test', allGates(root));
  process.exitCode = failed.length === 0 ? 0 : 1;
}
