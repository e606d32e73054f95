/**
 * `pnpm lab …` — parses the command line and hands it to one command file per verb
 * (scripts/lab/<verb>.ts). Outcomes become exit codes here and nowhere else:
 * 0 ok, 1 a check failed, 2 bad usage or input, 70 a bug in the kit.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeError, EXIT, UsageError } from '../tooling/lab-engine/errors.ts';
import { findLab, loadLabs } from '../tooling/lab-engine/labs.ts';
import { stopAllChildren } from '../tooling/lab-engine/process.ts';
import type { CommandContext } from './lab/context.ts';

const USAGE = `usage: pnpm lab list | status | next
       pnpm lab N reset [--catch-up] | check [--watch] [--json] | solve | hint [K] | diff | restore [ID]
N is a lab number (3 or 03) or its slug.`;

const LAB_VERBS = ['reset', 'check', 'solve', 'hint', 'diff', 'restore'] as const;
/** Appended to a usage error: every bad input is ONE line on stderr, the usage is one flag away. */
const SEE_HELP = '— `pnpm lab --help` shows the usage';
const TOP_VERBS = ['list', 'status', 'next'] as const;

function parse(argv: string[]): { values: { 'catch-up'?: boolean; watch?: boolean; json?: boolean; help?: boolean }; positionals: string[] } {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { 'catch-up': { type: 'boolean' }, watch: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    // node:util's message: "Unknown option '--x'. To specify a positional argument …": keep its first sentence.
    const why = error instanceof Error ? (error.message.split('\n')[0] ?? '').split('. ')[0] : String(error);
    throw new UsageError(`${why} ${SEE_HELP}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError(`no command given ${SEE_HELP}`);
  const root = process.env['LAB_ROOT'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const labs = await loadLabs(root);
  const [first = '', verb, ...rest] = positionals;
  const flags = { catchUp: values['catch-up'] ?? false, watch: values.watch ?? false, json: values.json ?? false };
  if ((TOP_VERBS as readonly string[]).includes(first)) {
    if (positionals.length > 1) throw new UsageError(`\`pnpm lab ${first}\` takes no more arguments ${SEE_HELP}`);
    const command = (await import(`./lab/${first}.ts`)) as { default: (ctx: CommandContext) => Promise<number> };
    return command.default({ root, labs, flags, args: [] });
  }
  const lab = findLab(labs, first);
  if (!verb) throw new UsageError(`what should lab ${lab.id} do? one of: ${LAB_VERBS.join(', ')}`);
  if (!(LAB_VERBS as readonly string[]).includes(verb)) {
    throw new UsageError(`unknown verb "${verb}" — one of: ${LAB_VERBS.join(', ')}`);
  }
  const allowed: Record<string, string[]> = { reset: ['catchUp'], check: ['watch', 'json'] };
  for (const [flag, on] of Object.entries(flags)) {
    if (on && !(allowed[verb] ?? []).includes(flag)) throw new UsageError(`\`${verb}\` does not take --${flag === 'catchUp' ? 'catch-up' : flag}`);
  }
  const maxArgs = verb === 'hint' || verb === 'restore' ? 1 : 0;
  if (rest.length > maxArgs) throw new UsageError(`too many arguments for \`${verb}\`: ${rest.join(' ')}`);
  const command = (await import(`./lab/${verb}.ts`)) as { default: (ctx: CommandContext) => Promise<number> };
  return command.default({ root, labs, lab, flags, args: rest });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopAllChildren();
    process.exit(130);
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const { line, exitCode } = describeError(error);
  console.error(`lab: ${line}`);
  if (process.env['LAB_DEBUG'] && error instanceof Error) console.error(error.stack);
  process.exitCode = exitCode;
}
