/** Where a lab's owned parts stand right now, compared with its starter and solution. */
import type { Lab } from './labs.ts';
import { readCurrentPart, readVersion } from './owned.ts';
import { UsageError } from './errors.ts';

export type WorkspaceState = 'starter' | 'solution' | 'in progress' | 'missing files' | 'unreadable';

export function workspaceState(root: string, lab: Lab): WorkspaceState {
  let allStarter = true;
  let allSolution = true;
  for (const part of lab.manifest.owns) {
    let current: string | undefined;
    try {
      current = readCurrentPart(root, lab, part);
    } catch (error) {
      if (error instanceof UsageError) return 'unreadable';
      throw error;
    }
    if (current === undefined) return 'missing files';
    if (current !== readVersion(root, lab, part, 'starter').toString('utf8')) allStarter = false;
    if (current !== readVersion(root, lab, part, 'solution').toString('utf8')) allSolution = false;
  }
  return allSolution ? 'solution' : allStarter ? 'starter' : 'in progress';
}
