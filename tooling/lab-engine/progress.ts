/**
 * Progress, remembered in `.labs/progress.json`: per lab, when it first passed, the last
 * result and run, and how many hint levels were shown. A missing file is a fresh start; a
 * corrupt one is kept aside (never deleted), rebuilt empty, and reported as a warning.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { atomicWrite } from './atomic.ts';

const labProgressSchema = z.object({
  firstPassedAt: z.string().optional(),
  lastResult: z.enum(['pass', 'fail']).optional(),
  lastRunAt: z.string().optional(),
  hintsShown: z.number().int().nonnegative().default(0),
});
const progressSchema = z.object({ version: z.literal(1), labs: z.record(z.string(), labProgressSchema) });

export type LabProgress = z.infer<typeof labProgressSchema>;
export type Progress = z.infer<typeof progressSchema>;

export function progressFile(root: string): string {
  return path.join(root, '.labs', 'progress.json');
}

export interface Loaded {
  readonly progress: Progress;
  /** Set when the file was unreadable and had to be rebuilt. */
  readonly warning?: string;
}

export function loadProgress(root: string): Loaded {
  const file = progressFile(root);
  const fresh: Progress = { version: 1, labs: {} };
  if (!existsSync(file)) return { progress: fresh };
  let problem: string;
  try {
    const parsed = progressSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return { progress: parsed.data };
    problem = 'its content is not a progress record';
  } catch (error) {
    problem = error instanceof SyntaxError ? 'it is not valid JSON' : 'it could not be read';
  }
  const aside = `${file}.corrupt-${Date.now()}`;
  renameSync(file, aside);
  return {
    progress: fresh,
    warning: `warning: .labs/progress.json was unreadable (${problem}); starting fresh — the old file is kept as ${path.relative(root, aside)}`,
  };
}

export function saveProgress(root: string, progress: Progress): void {
  atomicWrite(progressFile(root), `${JSON.stringify(progress, null, 2)}\n`);
}

export function labProgress(progress: Progress, labId: string): LabProgress {
  return progress.labs[labId] ?? { hintsShown: 0 };
}

/** Records a check's result; returns the updated progress (the caller saves it). */
export function recordCheck(progress: Progress, labId: string, result: 'pass' | 'fail', at: Date): Progress {
  const before = labProgress(progress, labId);
  const stamp = at.toISOString();
  const after: LabProgress = {
    ...before,
    lastResult: result,
    lastRunAt: stamp,
    ...(result === 'pass' && !before.firstPassedAt ? { firstPassedAt: stamp } : {}),
  };
  return { ...progress, labs: { ...progress.labs, [labId]: after } };
}

export function recordHint(progress: Progress, labId: string, level: number): Progress {
  const before = labProgress(progress, labId);
  return { ...progress, labs: { ...progress.labs, [labId]: { ...before, hintsShown: Math.max(before.hintsShown, level) } } };
}
