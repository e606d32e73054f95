import { afterAll, describe, expect, it } from 'vitest';
import { loadLabs } from './labs.ts';
import { runCheck } from './runner.ts';
import { DEMO, makeFixture } from './testing/fixture.ts';

describe("runCheck's kit-verify options (only, stopWhen)", () => {
  const f = makeFixture();
  f.write('svc/demo.py', DEMO.starter);
  afterAll(() => f.dispose());

  it('runs every step by default', async () => {
    const labs = await loadLabs(f.root);
    const report = await runCheck(f.root, labs, labs[0]!);
    expect(report.steps.map((s) => [s.step, s.status])).toEqual([
      ['ruff-check', 'fail'],
      ['acceptance', 'fail'],
    ]);
  });

  it('`only` runs (and reports) just the steps it accepts', async () => {
    const labs = await loadLabs(f.root);
    const report = await runCheck(f.root, labs, labs[0]!, { only: (step) => step.kind === 'pytest' });
    expect(report.result).toBe('fail');
    expect(report.steps.map((s) => s.step)).toEqual(['acceptance']);
  });

  it('`stopWhen` starts no step after the one that satisfies it; the check is a fail', async () => {
    const labs = await loadLabs(f.root);
    const report = await runCheck(f.root, labs, labs[0]!, { concurrency: 1, stopWhen: (r) => r.status !== 'pass' });
    expect(report.result).toBe('fail');
    expect(report.steps.map((s) => [s.step, s.status])).toEqual([['ruff-check', 'fail']]);
  });

  it('`stopWhen` stops a step already running and leaves it out of the report', async () => {
    const labs = await loadLabs(f.root);
    const started = performance.now();
    // pytest takes longer than ruff: with both running, ruff's failure stops pytest.
    const report = await runCheck(f.root, labs, labs[0]!, { concurrency: 2, stopWhen: (r) => r.kind === 'ruff-check' });
    expect(report.steps.map((s) => s.step)).toEqual(['ruff-check']);
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
