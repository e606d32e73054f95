/** `pnpm lab N diff`: your owned files against the solution, as a unified diff. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXIT, MissingToolError } from '../../tooling/lab-engine/errors.ts';
import { partLabel, readCurrentPart, readVersion } from '../../tooling/lab-engine/owned.ts';
import { run } from '../../tooling/lab-engine/process.ts';
import { findTool } from '../../tooling/toolchain/tools.ts';
import { theLab, type CommandContext } from './context.ts';

export default async function diff(ctx: CommandContext): Promise<number> {
  const lab = theLab(ctx);
  const git = findTool(ctx.root, 'git');
  if (!git) throw new MissingToolError('git');
  const scratch = mkdtempSync(path.join(tmpdir(), `lab-${lab.id}-diff-`));
  try {
    let differs = 0;
    for (const part of lab.manifest.owns) {
      const label = partLabel(part).replace('#', '@');
      const yours = path.join(scratch, 'yours', label);
      const solution = path.join(scratch, 'solution', label);
      mkdirSync(path.dirname(yours), { recursive: true });
      mkdirSync(path.dirname(solution), { recursive: true });
      const current = readCurrentPart(ctx.root, lab, part);
      writeFileSync(solution, readVersion(ctx.root, lab, part, 'solution'));
      if (current !== undefined) writeFileSync(yours, current);
      const color = process.stdout.isTTY && !process.env['NO_COLOR'] ? '--color=always' : '--no-color';
      const ran = await run(
        git,
        ['diff', '--no-index', color, '--src-prefix=yours/', '--dst-prefix=solution/', '--', current === undefined ? '/dev/null' : 'yours/' + label, 'solution/' + label],
        { cwd: scratch, timeoutMs: 30_000 },
      );
      if (ran.code === 1) {
        differs++;
        process.stdout.write(ran.stdout);
      } else if (ran.code !== 0) {
        console.error(`lab: git diff could not compare ${partLabel(part)}: ${ran.stderr.trim().split('\n')[0] ?? ''}`);
        return EXIT.usage;
      }
    }
    console.log(
      differs === 0
        ? `lab ${lab.id}: your files match the solution`
        : `lab ${lab.id}: ${differs} of ${lab.manifest.owns.length} owned part(s) differ from the solution (- yours, + solution)`,
    );
    return EXIT.ok;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
