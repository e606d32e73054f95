/** `pnpm lab list`: every lab with its track and progress. */
import { EXIT } from '../../tooling/lab-engine/errors.ts';
import { labProgress, loadProgress } from '../../tooling/lab-engine/progress.ts';
import type { CommandContext } from './context.ts';

export default async function list(ctx: CommandContext): Promise<number> {
  const { progress, warning } = loadProgress(ctx.root);
  if (warning) console.error(warning);
  console.log(`${'lab'.padEnd(5)}${'track'.padEnd(10)}${'title'.padEnd(48)}progress`);
  for (const lab of ctx.labs) {
    const p = labProgress(progress, lab.id);
    const status = p.firstPassedAt
      ? `passed ${p.firstPassedAt.slice(0, 10)}${p.lastResult === 'fail' ? ' (last check failed)' : ''}`
      : p.lastResult === 'fail'
        ? 'in progress (last check failed)'
        : 'not started';
    console.log(`${lab.id.padEnd(5)}${lab.manifest.module.padEnd(10)}${lab.manifest.title.padEnd(48)}${status}`);
  }
  return EXIT.ok;
}
