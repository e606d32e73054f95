/**
 * The isolated copy kit verify works in: the repository's files (tracked and untracked, not
 * ignored) copied under `.labs/verify/work`, with node_modules, .venv and .tools linked in.
 * Never the attendee's files. The path is stable between runs so tool caches stay warm (Go's
 * build cache keys compiles by folder; mypy's cache is kept per copy).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export interface Copy {
  readonly root: string;
  /** Every copied file (repository-relative) and its bytes at copy time: the reference. */
  readonly snapshot: ReadonlyMap<string, Buffer>;
}

const LINKED = ['node_modules', '.venv', '.tools'];

export function listRepoFiles(root: string): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return out
    .toString('utf8')
    .split('\0')
    .filter((file) => file && existsSync(path.join(root, file)));
}

/** `name` keeps one stable copy per track (`work-python`, ...), so tracks can be verified side by side. */
export function makeCopy(root: string, name = 'work'): Copy {
  const target = path.join(root, '.labs', 'verify', name);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const snapshot = new Map<string, Buffer>();
  for (const file of listRepoFiles(root)) {
    mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    copyFileSync(path.join(root, file), path.join(target, file));
    snapshot.set(file, readFileSync(path.join(root, file)));
  }
  for (const name of LINKED) {
    if (existsSync(path.join(root, name))) symlinkSync(path.join(root, name), path.join(target, name));
  }
  return { root: target, snapshot };
}

/** Files whose bytes differ from the snapshot (or are gone), repository-relative. */
export function driftFromSnapshot(copy: Copy, files: Iterable<string> = copy.snapshot.keys()): string[] {
  const drift: string[] = [];
  for (const file of files) {
    const full = path.join(copy.root, file);
    const before = copy.snapshot.get(file);
    if (!before) continue;
    if (!existsSync(full) || !readFileSync(full).equals(before)) drift.push(file);
  }
  return drift;
}
