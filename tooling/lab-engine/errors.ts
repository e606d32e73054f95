/**
 * The lab engine's one error taxonomy.
 *
 * Expected outcomes (a failing check, a missing backup) are returned as values by the engine.
 * These errors are for input the engine cannot act on; each carries the single line a user
 * sees and the exit status the command ends with. Anything else that is thrown is a bug and
 * is reported by the command entry as one "internal error" line.
 */

/** Exit statuses shared by every command: documented in README ("Exit codes"). */
export const EXIT = {
  ok: 0,
  /** the check ran and something failed */
  failed: 1,
  /** bad usage or input the command cannot act on */
  usage: 2,
  /** a bug in the kit itself */
  internal: 70,
} as const;

/** Bad input: unknown lab or verb, broken manifest, missing tool, unreadable owned file. */
export class UsageError extends Error {
  readonly exitCode: number = EXIT.usage;
  override readonly name: string = 'UsageError';
}

/** A lab manifest that does not validate: names the file and the field. */
export class ManifestError extends UsageError {
  override readonly name: string = 'ManifestError';
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field ? `${field}: ` : ''}${problem}`);
    this.file = file;
    this.field = field;
  }
}

/** A tool a step needs is not installed. */
export class MissingToolError extends UsageError {
  override readonly name: string = 'MissingToolError';
  readonly tool: string;
  constructor(tool: string) {
    super(`${tool}: not found — run \`pnpm run doctor\``);
    this.tool = tool;
  }
}

/** Another mutating or checking lab command holds the workspace lock. */
export class BusyError extends UsageError {
  override readonly name: string = 'BusyError';
}

/** Turns anything thrown into the one line a user sees and the exit status. */
export function describeError(error: unknown): { line: string; exitCode: number } {
  if (error instanceof UsageError) return { line: error.message, exitCode: error.exitCode };
  const message = error instanceof Error ? error.message : String(error);
  return {
    line: `internal error: ${message.split('\n')[0] ?? ''} (set LAB_DEBUG=1 for details)`,
    exitCode: EXIT.internal,
  };
}
