/**
 * `pnpm reliability [--json] [target...]`: the reference services measured as an outside tester
 * would (tooling/reliability): bad and cross-user tokens, bad input, slow clients, oversized
 * bodies. Prints one table (or the JSON report); exit 0 only when every figure is within its
 * limit, 1 otherwise, 2 on bad usage. Targets: python-catalog, go-catalog, gateway (default: all).
 * `--seed N` replays the kill loops' schedule of a run (each run prints its seed).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTable } from '../tooling/reliability/figures.ts';
import { runReliability, TARGETS } from '../tooling/reliability/run.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const usage = `usage: pnpm reliability [--json] [--seed N] [${Object.keys(TARGETS).join('|')}...]`;
const args = process.argv.slice(2);
const json = args.includes('--json');
let seed = Math.floor(Math.random() * 1_000_000);
const seedAt = args.indexOf('--seed');
if (seedAt >= 0) {
  const value = args[seedAt + 1] ?? '';
  if (!/^\d{1,9}$/.test(value)) {
    console.log(`reliability: --seed needs a whole number (got '${value}') — ${usage}`);
    process.exit(2);
  }
  seed = Number(value);
  args.splice(seedAt, 2);
}
const names = args.filter((a) => a !== '--json');
const unknown = names.filter((n) => !(n in TARGETS));
if (unknown.length > 0) {
  console.log(`reliability: unknown ${unknown[0]?.startsWith('-') ? 'option' : 'target'} '${unknown[0] ?? ''}' — ${usage}`);
  process.exit(2);
}
const report = await runReliability(root, names.length > 0 ? names : Object.keys(TARGETS), { seed }, (line) => {
  if (!json) console.log(line);
});
console.log(json ? JSON.stringify(report, null, 2) : renderTable(report));
process.exit(report.ok ? 0 : 1);
