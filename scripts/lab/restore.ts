/** `pnpm lab N restore [ID]`: list lab N's backups, or put one back exactly (backing up first). */
import { EXIT, UsageError } from '../../tooling/lab-engine/errors.ts';
import { findBackup, listBackups } from '../../tooling/lab-engine/backups.ts';
import { acquireLock } from '../../tooling/lab-engine/lock.ts';
import { applyPlan, planRestore } from '../../tooling/lab-engine/workspace.ts';
import { theLab, type CommandContext } from './context.ts';
import { reportApplied } from './written.ts';

export default async function restore(ctx: CommandContext): Promise<number> {
  const lab = theLab(ctx);
  const [id] = ctx.args;
  if (id === undefined) {
    const backups = listBackups(ctx.root, lab.id);
    if (backups.length === 0) {
      console.log(`lab ${lab.id} has no backups yet (reset, solve and restore make one before they write)`);
      return EXIT.ok;
    }
    console.log(`backups of lab ${lab.id}, newest first — \`pnpm lab ${lab.number} restore ID\` puts one back:`);
    for (const b of backups) {
      console.log(`  ${b.id.padEnd(40)} before ${b.verb.padEnd(9)} ${b.entries.length} file(s)`);
    }
    return EXIT.ok;
  }
  const lock = acquireLock(ctx.root, `lab ${lab.id} restore`);
  try {
    const backup = findBackup(ctx.root, id);
    if (backup.lab !== lab.id) throw new UsageError(`backup ${backup.id} belongs to lab ${backup.lab}, not lab ${lab.id}`);
    reportApplied(lab, applyPlan(ctx.root, lab.id, 'restore', planRestore(ctx.root, backup)), `backup ${backup.id}`);
    return EXIT.ok;
  } finally {
    lock.release();
  }
}
