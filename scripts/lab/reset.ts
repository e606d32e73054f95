/** `pnpm lab N reset [--catch-up]`: back up the owned files, then write the starter. */
import { EXIT } from '../../tooling/lab-engine/errors.ts';
import { acquireLock } from '../../tooling/lab-engine/lock.ts';
import { describeUnfinished, unfinishedEarlierLabs } from '../../tooling/lab-engine/prerequisites.ts';
import { applyPlan, planVersion, type WritePlan } from '../../tooling/lab-engine/workspace.ts';
import { theLab, type CommandContext } from './context.ts';
import { reportApplied } from './written.ts';

export default async function reset(ctx: CommandContext): Promise<number> {
  const lab = theLab(ctx);
  const lock = acquireLock(ctx.root, `lab ${lab.id} reset`);
  try {
    const unfinished = unfinishedEarlierLabs(ctx.root, ctx.labs, lab);
    const plan: WritePlan = new Map();
    if (ctx.flags.catchUp) for (const u of unfinished) planVersion(ctx.root, u.lab, 'solution', plan);
    planVersion(ctx.root, lab, 'starter', plan);
    const applied = applyPlan(ctx.root, lab.id, ctx.flags.catchUp ? 'catch-up' : 'reset', plan);
    if (ctx.flags.catchUp && unfinished.length > 0) {
      console.log(`caught up: wrote the solutions of ${unfinished.map((u) => `lab ${u.lab.number}`).join(', ')}`);
    }
    reportApplied(lab, applied, 'starter');
    if (!ctx.flags.catchUp) {
      for (const u of unfinished) console.log(`note: ${describeUnfinished(u, lab)}`);
    }
    return EXIT.ok;
  } finally {
    lock.release();
  }
}
