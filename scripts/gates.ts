/**
 * `pnpm gates [python|go|proto|ts|kit] [--only a,b] [--fix]` — the quality gates of one scope
 * (all without one), from the same list `pnpm test` runs (tooling/gates/gates.ts), as one table.
 * `--only` keeps the gates whose name contains one of the words (the Makefile's lint/type/test).
 * `--fix` first runs the scope's fixers (`ruff check --fix`, `ruff format`; `gofmt -w`). Exit 0 all passed, 1 a gate failed,
 * 2 bad usage (one line).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCOPES, allGates, fixCommands, isScope, selectGates, type Scope } from '../tooling/gates/gates.ts';
import { runAndReport } from '../tooling/gates/runner.ts';
import { run, stopAllChildren } from '../tooling/lab-engine/process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const usage = `usage: pnpm gates [${SCOPES.join('|')}] [--only word,word] [--fix]`;

const args = process.argv.slice(2);
const fix = args.includes('--fix');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : [];
if (onlyAt >= 0 && only.length === 0) {
  console.log(`gates: --only needs words — ${usage}`);
  process.exit(2);
}
const rest = args.filter((a, i) => a !== '--fix' && (onlyAt < 0 || (i !== onlyAt && i !== onlyAt + 1)));
const bad = rest.find((a) => !isScope(a)) ?? (rest.length > 1 ? rest[1] : undefined);
if (bad !== undefined) {
  console.log(`gates: unknown scope '${bad}' — ${usage}`);
  process.exit(2);
}
const scope = rest[0] as Scope | undefined;

process.on('SIGINT', () => {
  stopAllChildren();
  process.exit(130);
});

if (fix) {
  for (const c of fixCommands(root, scope)) {
    const ran = await run(c.command, c.args, { cwd: c.cwd, timeoutMs: 5 * 60_000 });
    console.log(`${ran.code === 0 ? '✓' : '✗'} --fix: ${path.basename(c.command)} ${c.args.join(' ')}`);
    if (ran.code !== 0 && ran.code !== 1) console.log(`${ran.stdout}${ran.stderr}`.trimEnd());
  }
}

const selected = selectGates(allGates(root), scope).filter((g) => only.length === 0 || only.some((w) => g.name.includes(w)));
if (selected.length === 0) {
  console.log(`gates: no gate matches ${only.join(',')}${scope ? ` in ${scope}` : ''} — ${usage}`);
  process.exit(2);
}
const { failed } = await runAndReport(`pnpm gates${args.length ? ` ${args.join(' ')}` : ''}`, selected);
process.exitCode = failed.length === 0 ? 0 : 1;
