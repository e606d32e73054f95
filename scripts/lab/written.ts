/** The lines reset, solve and restore print after writing: what changed and how to undo it. */
import type { Lab } from '../../tooling/lab-engine/labs.ts';
import type { Applied } from '../../tooling/lab-engine/workspace.ts';

export function reportApplied(lab: Lab, applied: Applied, what: string): void {
  if (!applied.backup) {
    console.log(`lab ${lab.id}: already at its ${what} — nothing changed`);
    return;
  }
  console.log(`lab ${lab.id}: wrote the ${what} (${applied.changed.length} file${applied.changed.length === 1 ? '' : 's'})`);
  for (const file of applied.changed) console.log(`  ${file}`);
  console.log(`backup: .labs/backups/${applied.backup.id} — \`pnpm lab ${lab.number} restore ${applied.backup.id}\` undoes this`);
}
