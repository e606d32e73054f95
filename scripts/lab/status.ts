/** `pnpm lab status`: progress per lab, and where its files stand (starter, in progress, solution). */
import { EXIT } from '../../tooling/lab-engine/errors.ts';
import { labProgress, loadProgress } from '../../tooling/lab-engine/progress.ts';
import { workspaceState } from '../../tooling/lab-engine/state.ts';
import type { CommandContext } from './context.ts';

export default async function status(ctx: CommandContext): Promise<number> {
  const { progress, warning } = loadProgress(ctx.root);
  if (warning) console.error(warning);
  const passed = ctx.labs.filter((lab) => labProgress(progress, lab.id).firstPassedAt).length;
  console.log(`${passed} of ${ctx.labs.length} labs passed`);
  console.log(`${'lab'.padEnd(5)}${'title'.padEnd(44)}${'files'.padEnd(15)}${'first passed'.padEnd(22)}${'last check'.padEnd(28)}hints`);
  for (const lab of ctx.labs) {
    const p = labProgress(progress, lab.id);
    const last = p.lastRunAt ? `${p.lastResult ?? '?'} ${p.lastRunAt.slice(0, 16).replace('T', ' ')}` : '—';
    const first = p.firstPassedAt ? p.firstPassedAt.slice(0, 16).replace('T', ' ') : '—';
    console.log(
      `${lab.id.padEnd(5)}${lab.manifest.title.slice(0, 42).padEnd(44)}${workspaceState(ctx.root, lab).padEnd(15)}${first.padEnd(22)}${last.padEnd(28)}${p.hintsShown}/${lab.manifest.hints.length}`,
    );
  }
  return EXIT.ok;
}
