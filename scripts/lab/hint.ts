/** `pnpm lab N hint [K]`: the next hint level (or level K), remembered in progress. */
import { EXIT, UsageError } from '../../tooling/lab-engine/errors.ts';
import { labProgress, loadProgress, recordHint, saveProgress } from '../../tooling/lab-engine/progress.ts';
import { theLab, type CommandContext } from './context.ts';

export default async function hint(ctx: CommandContext): Promise<number> {
  const lab = theLab(ctx);
  const hints = lab.manifest.hints;
  const { progress, warning } = loadProgress(ctx.root);
  if (warning) console.error(warning);
  const [asked] = ctx.args;
  let level: number;
  if (asked === undefined) {
    level = Math.min(labProgress(progress, lab.id).hintsShown + 1, hints.length);
  } else {
    level = Number(asked);
    if (!/^\d+$/.test(asked) || level < 1 || level > hints.length) {
      throw new UsageError(`lab ${lab.id} has hints 1 to ${hints.length}; "${asked}" is not one of them`);
    }
  }
  console.log(`hint ${level} of ${hints.length} for lab ${lab.id} · ${lab.manifest.title}:\n`);
  console.log(hints[level - 1]);
  if (level < hints.length) console.log(`\n(\`pnpm lab ${lab.number} hint\` again for the next one)`);
  saveProgress(ctx.root, recordHint(progress, lab.id, level));
  return EXIT.ok;
}
