/** `pnpm lab list`: every lab with its track and progress. */
import { EXIT } from '../../tooling/lab-engine/errors.ts';
import { labProgress, loadProgress } from '../../tooling/lab-engine/progress.ts';
import type { CommandContext } from './context.ts';

const TITLE_MAX = 72;

function fit(title: string, max: number): string {
  return title.length <= max ? title : `${title.slice(0, max - 1)}…`;
}

export default async function list(ctx: CommandContext): Promise<number> {
  const { progress, warning } = loadProgress(ctx.root);
  if (warning) console.error(warning);
  // The title column fits the longest title up to TITLE_MAX; a longer one is cut with "…" so it
  // never runs into its progress (`pnpm lab N hint` and the README have the whole title).
  const width = Math.min(TITLE_MAX, Math.max(5, ...ctx.labs.map((lab) => lab.manifest.title.length))) + 2;
  console.log(`${'lab'.padEnd(5)}${'track'.padEnd(10)}${'title'.padEnd(width)}progress`);
  for (const lab of ctx.labs) {
    const p = labProgress(progress, lab.id);
    const status = p.firstPassedAt
      ? `passed ${p.firstPassedAt.slice(0, 10)}${p.lastResult === 'fail' ? ' (last check failed)' : ''}`
      : p.lastResult === 'fail'
        ? 'in progress (last check failed)'
        : 'not started';
    console.log(`${lab.id.padEnd(5)}${lab.manifest.module.padEnd(10)}${fit(lab.manifest.title, width - 2).padEnd(width)}${status}`);
  }
  return EXIT.ok;
}
