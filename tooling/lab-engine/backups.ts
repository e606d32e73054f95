/**
 * Backups under `.labs/backups/<id>/`: the exact bytes of every file a command is about to
 * replace (or the fact that it did not exist), taken before anything is written.
 * `backup.json` is written last, atomically: a folder without it is an interrupted backup,
 * never listed and never restored from.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { atomicWrite } from './atomic.ts';
import { UsageError } from './errors.ts';
import { readCurrentFile } from './owned.ts';

const entrySchema = z.object({
  /** Repository-relative path. */
  path: z.string(),
  /** False when the file did not exist: restoring removes it again. */
  existed: z.boolean(),
  /** sha256 of the saved bytes, checked before restoring. */
  sha256: z.string().optional(),
});
const backupSchema = z.object({
  id: z.string(),
  lab: z.string(),
  verb: z.string(),
  createdAt: z.string(),
  entries: z.array(entrySchema),
});
export type Backup = z.infer<typeof backupSchema>;

export function backupsDir(root: string): string {
  return path.join(root, '.labs', 'backups');
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function newId(labId: string, verb: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, '$1Z');
  return `${stamp}-lab${labId}-${verb}`;
}

/** Saves the current state of `files` (repository-relative) and returns the backup. */
export function createBackup(root: string, labId: string, verb: string, files: readonly string[]): Backup {
  let id = newId(labId, verb);
  for (let n = 2; existsSync(path.join(backupsDir(root), id)); n++) id = `${newId(labId, verb)}-${n}`;
  const dir = path.join(backupsDir(root), id);
  mkdirSync(dir, { recursive: true });
  const entries = [...new Set(files)].map((file) => {
    const bytes = readCurrentFile(root, file);
    if (bytes === undefined) return { path: file, existed: false };
    atomicWrite(path.join(dir, 'files', file), bytes);
    return { path: file, existed: true, sha256: sha256(bytes) };
  });
  const backup: Backup = { id, lab: labId, verb, createdAt: new Date().toISOString(), entries };
  atomicWrite(path.join(dir, 'backup.json'), `${JSON.stringify(backup, null, 2)}\n`);
  return backup;
}

/** Complete backups, newest first; those of one lab when `labId` is given. */
export function listBackups(root: string, labId?: string): Backup[] {
  const dir = backupsDir(root);
  if (!existsSync(dir)) return [];
  const backups: Backup[] = [];
  for (const name of readdirSync(dir)) {
    const parsed = readBackup(root, name);
    if (parsed && (labId === undefined || parsed.lab === labId)) backups.push(parsed);
  }
  return backups.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

function readBackup(root: string, id: string): Backup | undefined {
  const file = path.join(backupsDir(root), id, 'backup.json');
  if (!existsSync(file)) return undefined;
  try {
    const parsed = backupSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Finds a backup by its full id or a unique prefix; a bad id is a usage error. */
export function findBackup(root: string, id: string): Backup {
  const exact = readBackup(root, id);
  if (exact) return exact;
  const matches = listBackups(root).filter((b) => b.id.startsWith(id));
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) throw new UsageError(`backup id "${id}" matches ${matches.length} backups — give more of it`);
  throw new UsageError(`no backup "${id}" — \`pnpm lab N restore\` lists the backups`);
}

/** The bytes a backup holds for each file (undefined: the file did not exist), verified. */
export function backupContents(root: string, backup: Backup): Map<string, Buffer | undefined> {
  const contents = new Map<string, Buffer | undefined>();
  for (const entry of backup.entries) {
    if (!entry.existed) {
      contents.set(entry.path, undefined);
      continue;
    }
    const file = path.join(backupsDir(root), backup.id, 'files', entry.path);
    const bytes = existsSync(file) ? readFileSync(file) : undefined;
    if (!bytes || sha256(bytes) !== entry.sha256) {
      throw new UsageError(`backup ${backup.id} is damaged (${entry.path} does not match its checksum) — nothing was restored`);
    }
    contents.set(entry.path, bytes);
  }
  return contents;
}

/** Removes interrupted backups (folders without backup.json). */
export function removeIncompleteBackups(root: string): void {
  const dir = backupsDir(root);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (!existsSync(path.join(dir, name, 'backup.json'))) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}
