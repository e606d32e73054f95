/**
 * `pnpm rollout` argument parsing (pure) and exit codes: 0 promoted / blue-green or drain clean,
 * 3 rolled back, 1 error (a service did not start, a failed blue-green or drain), 2 bad usage,
 * 130 / 143 interrupted (everything started is stopped first).
 */
import type { Candidate } from './canary.ts';

export const USAGE = 'usage: pnpm rollout canary --candidate good|faulty [--json] | pnpm rollout blue-green [--json] | pnpm rollout drain [--json]';

export const EXIT = { ok: 0, error: 1, usage: 2, rolledBack: 3 } as const;

export type Command = { readonly kind: 'canary'; readonly candidate: Candidate; readonly json: boolean } | { readonly kind: 'blue-green' | 'drain'; readonly json: boolean } | { readonly kind: 'help' };

/** The command, or the one-line reason the arguments are wrong. */
export function parseArgs(argv: readonly string[]): Command | { readonly error: string } {
  const [command, ...rest] = argv;
  if (command === undefined) return { error: 'no command' };
  if (command === '--help' || command === '-h' || command === 'help') return { kind: 'help' };
  if (command !== 'canary' && command !== 'blue-green' && command !== 'drain') return { error: `unknown command '${command}'` };
  let json = false;
  let candidate: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--json') json = true;
    else if (command === 'canary' && (arg === '--candidate' || arg.startsWith('--candidate='))) {
      if (candidate !== undefined) return { error: '--candidate given twice' };
      candidate = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : rest[++i];
      if (candidate === undefined) return { error: '--candidate needs a value: good or faulty' };
    } else return { error: `unknown option '${arg}' for ${command}` };
  }
  if (command === 'blue-green' || command === 'drain') return { kind: command, json };
  if (candidate === undefined) return { error: 'canary needs --candidate good|faulty' };
  if (candidate !== 'good' && candidate !== 'faulty') return { error: `--candidate must be good or faulty, not '${candidate}'` };
  return { kind: 'canary', candidate, json };
}
