/** What the dispatcher hands every command file. */
import type { Lab } from '../../tooling/lab-engine/labs.ts';

export interface CommandContext {
  readonly root: string;
  readonly labs: readonly Lab[];
  /** Set for `pnpm lab N <verb>`. */
  readonly lab?: Lab;
  readonly flags: { readonly catchUp: boolean; readonly watch: boolean; readonly json: boolean };
  readonly args: readonly string[];
}

export function theLab(ctx: CommandContext): Lab {
  if (!ctx.lab) throw new Error('this command needs a lab');
  return ctx.lab;
}
