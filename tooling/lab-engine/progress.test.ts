import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labProgress, loadProgress, progressFile, recordCheck, recordHint, saveProgress } from './progress.ts';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function emptyRoot(progress?: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'lab-progress-'));
  roots.push(root);
  if (progress !== undefined) {
    mkdirSync(path.join(root, '.labs'), { recursive: true });
    writeFileSync(progressFile(root), progress);
  }
  return root;
}

describe('progress', () => {
  it('a missing progress file is a fresh start, without a warning', () => {
    expect(loadProgress(emptyRoot())).toEqual({ progress: { version: 1, labs: {} } });
  });

  for (const [name, content, problem] of [
    ['corrupt JSON', '{"version": 1, "labs": {', 'it is not valid JSON'],
    ['JSON of the wrong shape', '{"version": 2, "labs": []}', 'its content is not a progress record'],
  ] as const) {
    it(`${name} is kept aside under a name the warning gives, and progress starts fresh`, () => {
      const root = emptyRoot(content);
      const loaded = loadProgress(root);
      expect(loaded.progress).toEqual({ version: 1, labs: {} });
      const aside = readdirSync(path.join(root, '.labs')).filter((name) => name.startsWith('progress.json.corrupt-'));
      expect(aside).toHaveLength(1);
      expect(loaded.warning).toContain(problem);
      expect(loaded.warning).toContain(`.labs/${aside[0] ?? ''}`);
      expect(readFileSync(path.join(root, '.labs', aside[0] ?? ''), 'utf8')).toBe(content);
      expect(existsSync(progressFile(root))).toBe(false);
    });
  }

  it('recordCheck keeps the first pass time when later checks pass or fail', () => {
    const t1 = new Date('2026-03-01T10:00:00Z');
    const t2 = new Date('2026-03-01T11:00:00Z');
    const t3 = new Date('2026-03-01T12:00:00Z');
    let progress = recordCheck({ version: 1, labs: {} }, '01', 'fail', t1);
    expect(labProgress(progress, '01')).toEqual({ hintsShown: 0, lastResult: 'fail', lastRunAt: t1.toISOString() });
    progress = recordCheck(progress, '01', 'pass', t2);
    progress = recordCheck(progress, '01', 'fail', t3);
    progress = recordCheck(progress, '01', 'pass', t3);
    expect(labProgress(progress, '01')).toEqual({ hintsShown: 0, firstPassedAt: t2.toISOString(), lastResult: 'pass', lastRunAt: t3.toISOString() });
  });

  it('recordHint remembers the highest hint level shown', () => {
    let progress = recordHint({ version: 1, labs: {} }, '02', 2);
    progress = recordHint(progress, '02', 1);
    expect(labProgress(progress, '02').hintsShown).toBe(2);
    expect(labProgress(progress, '01').hintsShown).toBe(0);
  });

  it('what is saved loads back equal', () => {
    const root = emptyRoot();
    const progress = recordHint(recordCheck({ version: 1, labs: {} }, '01', 'pass', new Date()), '01', 3);
    saveProgress(root, progress);
    expect(loadProgress(root)).toEqual({ progress });
  });
});
