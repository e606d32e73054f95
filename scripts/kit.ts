/**
 * `pnpm kit verify [N...]` — the kit's self-test, run in an isolated copy, never in the
 * attendee's files. Prints one row per invariant per lab and a closing summary line.
 * `pnpm kit pack` — the offline room pack (tooling/pack/README.md).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, EXIT, UsageError } from '../tooling/lab-engine/errors.ts';
import { loadLabs } from '../tooling/lab-engine/labs.ts';
import { stopAllChildren } from '../tooling/lab-engine/process.ts';
import { runDoctor } from '../tooling/doctor/doctor.ts';
import { verify, type Finding, type LabVerdict } from '../tooling/kit-verify/verify.ts';
import { parsePackArgs } from '../tooling/pack/args.ts';
import { hostPlatform } from '../tooling/pack/check-manifest.js';
import { makePack } from '../tooling/pack/pack.ts';
import { $ } from 'zx';

const USAGE = `usage: pnpm kit verify [N ...]   (N: lab numbers; none means every lab)
       pnpm kit doctor               (the same as pnpm run doctor)
       pnpm kit pack [--platform P] [--out FILE]
                                     (an offline room pack for \`npm run bootstrap -- --from FILE\`;
                                      P: this machine's platform only; FILE: .tar or .tar.gz)`;

function row(f: Finding): string {
  return `  ${f.ok ? '✓' : '✗'} ${f.name.padEnd(52)} ${f.detail}`;
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const root = process.env['LAB_ROOT'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  if (verb === '--help' || verb === '-h') {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (verb === 'doctor') {
    if (rest.length) throw new UsageError(`\`kit doctor\` takes no arguments (\`pnpm run doctor --json\` prints JSON)`);
    const report = await runDoctor({ root });
    console.log(report.text);
    return report.exitCode;
  }
  if (verb === 'pack') {
    // npm/pnpm run scripts in the package root; INIT_CWD is where the user typed the command.
    const cwd = process.env['INIT_CWD'] ?? process.cwd();
    const commit = (await $({ cwd: root, quiet: true, nothrow: true })`git rev-parse HEAD`).stdout.trim() || 'unknown';
    const args = parsePackArgs(rest, hostPlatform(), cwd, commit);
    await makePack(root, args.platform, args.out, (line) => console.log(line));
    return EXIT.ok;
  }
  // One line on stderr for every bad input (spec invariant 6); the usage is one flag away.
  const seeHelp = '— `pnpm kit --help` shows the usage';
  if (verb !== 'verify') throw new UsageError(verb ? `unknown kit command "${verb}" ${seeHelp}` : `no command given ${seeHelp}`);
  const numbers = rest.map((arg) => {
    if (!/^\d+$/.test(arg)) throw new UsageError(`"${arg}" is not a lab number ${seeHelp}`);
    return Number(arg);
  });
  // Unknown numbers are bad input: say so before minutes of verifying the others.
  const known = new Set((await loadLabs(root)).map((lab) => lab.number));
  const missing = numbers.filter((n) => !known.has(n));
  if (missing.length) throw new UsageError(`no lab numbered ${missing.join(', ')} — \`pnpm lab list\` shows the labs`);
  process.env['LAB_MYPY_CACHE_DIR'] ??= path.join(root, '.labs', 'verify', 'mypy-cache');
  const started = performance.now();
  const onLab = (v: LabVerdict): void => {
    const ok = v.findings.every((f) => f.ok);
    console.log(`${ok ? '✓' : '✗'} lab ${v.lab.id} · ${v.lab.manifest.title} (${(v.ms / 1000).toFixed(1)} s)`);
    for (const f of v.findings) console.log(row(f));
    if (process.env['KIT_VERIFY_TIMINGS']) console.log(`  timings: ${v.phases.map((p) => `${p.name} ${(p.ms / 1000).toFixed(1)} s`).join(' · ')}`);
  };
  const run = await verify(root, numbers, onLab);
  for (const f of run.global) console.log(row(f));
  const findings = [...run.verdicts.flatMap((v) => v.findings), ...run.global];
  const failed = findings.filter((f) => !f.ok).length;
  console.log(`kit verify: ${run.verdicts.length} lab(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${findings.length - failed} passed, ${failed} failed`);
  return failed === 0 ? EXIT.ok : EXIT.failed;
}

process.on('SIGINT', () => {
  stopAllChildren();
  process.exit(130);
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const { line, exitCode } = describeError(error);
  console.error(`kit: ${line}`);
  if (process.env['LAB_DEBUG'] && error instanceof Error) console.error(error.stack);
  process.exitCode = exitCode;
}
