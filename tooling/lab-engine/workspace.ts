/**
 * Workspace operations: reset (starter), solve (solution), catch-up and restore.
 * Every one of them plans all its writes first (so a broken lab or file stops it before
 * anything changes), backs up every file it will touch, then writes each file atomically.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { atomicWrite, removeStaleTemps } from './atomic.ts';
import { backupContents, createBackup, removeIncompleteBackups, type Backup } from './backups.ts';
import { UsageError } from './errors.ts';
import type { Lab } from './labs.ts';
import { decodeOwned, readCurrentFile, readVersion, splitRegion, type Version } from './owned.ts';

/** New bytes per repository-relative file; undefined removes the file (restore only). */
export type WritePlan = Map<string, Buffer | undefined>;

/** Adds `lab`'s `version` of every owned part to the plan, building on what is planned already. */
export function planVersion(root: string, lab: Lab, version: Version, plan: WritePlan = new Map()): WritePlan {
  for (const part of lab.manifest.owns) {
    const wanted = readVersion(root, lab, part, version);
    if (!part.region) {
      plan.set(part.path, wanted);
      continue;
    }
    const base = plan.has(part.path) ? plan.get(part.path) : readCurrentFile(root, part.path);
    if (base === undefined) {
      throw new UsageError(`${part.path} (owned in part by lab ${lab.id}) is missing — \`git checkout -- ${part.path}\` brings it back`);
    }
    const split = splitRegion(decodeOwned(base, part.path, lab), part.region, part.path, lab);
    plan.set(part.path, Buffer.from(split.head + decodeOwned(wanted, `${part.path}@${part.region}`, lab) + split.tail, 'utf8'));
  }
  return plan;
}

export interface Applied {
  /** The backup taken first; undefined when nothing needed to change. */
  readonly backup: Backup | undefined;
  /** Files whose bytes changed (or were removed). */
  readonly changed: string[];
}

/** Backs up then writes a plan. Files whose bytes would not change are left alone. */
export function applyPlan(root: string, labId: string, verb: string, plan: WritePlan): Applied {
  removeIncompleteBackups(root);
  removeStaleTemps([...plan.keys()].map((file) => path.join(root, file)));
  const changed = [...plan.entries()]
    .filter(([file, bytes]) => {
      const current = readCurrentFile(root, file);
      return bytes === undefined ? current !== undefined : current === undefined || !current.equals(bytes);
    })
    .map(([file]) => file);
  if (changed.length === 0) return { backup: undefined, changed };
  const backup = createBackup(root, labId, verb, changed);
  for (const file of changed) {
    const bytes = plan.get(file);
    if (bytes === undefined) rmSync(path.join(root, file), { force: true });
    else atomicWrite(path.join(root, file), bytes);
  }
  return { backup, changed };
}

/** The plan that puts back exactly what a backup holds. */
export function planRestore(root: string, backup: Backup): WritePlan {
  return backupContents(root, backup);
}
