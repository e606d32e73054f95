/** `pnpm lab N solve`: back up the owned files, then write the solution. */
import { EXIT } from '../../tooling/lab-engine/errors.ts';
import { acquireLock } from '../../tooling/lab-engine/lock.ts';
import { applyPlan, planVersion } from '../../tooling/lab-engine/workspace.ts';
import { theLab, type CommandContext } from './context.ts';
import { reportApplied } from './written.ts';

export default async function solve(ctx: CommandContext): Promise<number> {
  const lab = theLab(ctx);
  const lock = acquireLock(ctx.root, `lab ${lab.id} solve`);
  try {
    reportApplied(lab, applyPlan(ctx.root, lab.id, 'solve', planVersion(ctx.root, lab, 'solution')), 'solution');
    return EXIT.ok;
  } finally {
    lock.release();
  }
}
