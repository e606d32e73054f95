// pnpm run doctor [--json]: check every toolchain the kit needs (plain `pnpm doctor` runs pnpm's
// own built-in doctor). Exit 1 when a required tool is missing or too old, 2 on bad arguments.
// Never a stack trace: anything unexpected is one line.
import { fileURLToPath } from 'node:url';
import { runDoctor } from '../tooling/doctor/doctor.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const usage = 'usage: pnpm run doctor [--json]';

async function main(): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    console.log(usage);
    return 0;
  }
  const unknown = args.filter((a) => a !== '--json');
  if (unknown.length > 0) {
    console.error(`doctor: unknown argument ${unknown[0] ?? ''} (${usage})`);
    return 2;
  }
  const report = await runDoctor({ root });
  if (args.includes('--json')) console.log(JSON.stringify({ ok: report.exitCode === 0, tools: report.rows }, null, 2));
  else console.log(report.text);
  return report.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`doctor: ${msg.split('\n')[0] ?? 'failed'}`);
    process.exitCode = 2;
  },
);
