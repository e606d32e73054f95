import { describe, expect, it } from 'vitest';
import type { Gate } from './gates.ts';
import { runAndReport } from './runner.ts';

const gate = (name: string, over: Partial<Gate>): Gate => ({ name, scope: 'kit', command: process.execPath, args: ['-e', ''], cwd: process.cwd(), ...over });

describe('runAndReport', () => {
  it('names every gate it could not run, with why, and never counts it as a pass', async () => {
    const lines: string[] = [];
    const summary = await runAndReport('t', [gate('ok', {}), gate('promtool', { skip: 'promtool not installed: apt-get install prometheus' }), gate('bad', { args: ['-e', 'process.exit(3)'] })], (s) => lines.push(s));
    const text = lines.join('\n');
    expect(text).toContain('not run: promtool — promtool not installed: apt-get install prometheus');
    expect(text).toMatch(/^1 passed, 1 failed, 1 skipped$/m);
    expect(summary.failed.map((r) => r.gate.name)).toEqual(['bad']);
    expect(summary.skipped.map((r) => r.gate.name)).toEqual(['promtool']);
  });

  it('counts a gate whose tool is missing as failed, not skipped', async () => {
    const lines: string[] = [];
    const summary = await runAndReport('t', [gate('lint', { command: '/nonexistent/lint' })], (s) => lines.push(s));
    expect(summary.failed[0]?.status).toBe('missing');
    expect(lines.join('\n')).toMatch(/^0 passed, 1 failed$/m);
  });
});
