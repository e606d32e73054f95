/** `pnpm lab next`: the first lab not yet passed, and the command to start it. */
import { EXIT } from '../../tooling/lab-engine/errors.ts';
import { labProgress, loadProgress } from '../../tooling/lab-engine/progress.ts';
import { workspaceState } from '../../tooling/lab-engine/state.ts';
import type { CommandContext } from './context.ts';

export default async function next(ctx: CommandContext): Promise<number> {
  const { progress, warning } = loadProgress(ctx.root);
  if (warning) console.error(warning);
  const lab = ctx.labs.find((l) => !labProgress(progress, l.id).firstPassedAt);
  if (!lab) {
    console.log(`every lab has passed — well done`);
    return EXIT.ok;
  }
  const state = workspaceState(ctx.root, lab);
  const start = state === 'starter' || state === 'in progress' ? `pnpm lab ${lab.number} check` : `pnpm lab ${lab.number} reset`;
  console.log(`next: lab ${lab.id} · ${lab.manifest.title} (labs/${lab.slug}/README.md) — \`${start}\``);
  return EXIT.ok;
}
