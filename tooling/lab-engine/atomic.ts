/**
 * Atomic file writes: a temp file beside the target, flushed to disk, then renamed over it.
 * rename(2) within one folder is atomic, so a reader (or a process killed mid-command) only
 * ever sees the old bytes or the new ones, never a torn file.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

const TEMP_MARK = '.lab-tmp-';

export function atomicWrite(file: string, data: Buffer | string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}${TEMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const fd = openSync(temp, 'w', 0o644);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncDir(dir);
}

/** Makes the rename itself durable (the folder entry), so a power cut cannot undo it. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on folders; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Removes temp files a killed command left beside the given files. Returns what it removed. */
export function removeStaleTemps(files: readonly string[]): string[] {
  const removed: string[] = [];
  for (const dir of new Set(files.map((f) => path.dirname(f)))) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.') && name.includes(TEMP_MARK)) {
        rmSync(path.join(dir, name), { force: true });
        removed.push(path.join(dir, name));
      }
    }
  }
  return removed;
}
