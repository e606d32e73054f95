import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseToolchain } from '../toolchain/tools.ts';
import type { Toolchain } from '../toolchain/tools.ts';
import { buildReport, status } from './check.ts';
import type { Found } from './check.ts';
import { runDoctor } from './doctor.ts';
import { probeTool, run } from './probe.ts';

const v = { args: ['--version'], pattern: '(\\d+\\.\\d+\\.\\d+)' };
const fake: Toolchain = parseToolchain({
  tools: {
    alpha: { bin: 'alpha', pinned: '1.2.3', required: true, for: 'labs', source: 's', version: v, fix: 'get alpha@{version}' },
    beta: { bin: 'beta', min: '3.11', required: true, for: 'python', source: 's', version: v, fix: 'get beta' },
    gamma: { bin: 'gamma', required: false, for: 'slides', source: 's', version: v, fix: 'apt-get install gamma' },
    delta: { bin: 'delta', min: '3.11', required: true, requiredWhen: 'pyproject.toml', for: 'venv', source: 's', version: v, fix: 'sync' },
  },
});

function found(entries: Record<string, Found>): Map<string, Found> {
  return new Map(Object.entries(entries));
}
const all = (): boolean => true;

describe('status', () => {
  const [alpha, beta] = fake.tools;
  it('classifies versions against pin and minimum', () => {
    if (!alpha || !beta) throw new Error('fixture');
    expect(status(alpha, {})).toBe('missing');
    expect(status(alpha, { path: '/x', version: '1.2.3' })).toBe('ok');
    expect(status(alpha, { path: '/x', version: '1.2.2' })).toBe('too old');
    expect(status(alpha, { path: '/x', version: '1.3.0' })).toBe('wrong version');
    expect(status(beta, { path: '/x', version: '3.12.1' })).toBe('ok');
    expect(status(beta, { path: '/x', version: '3.10.12' })).toBe('too old');
    expect(status(beta, { path: '/x', problem: 'no answer within 8s' })).toBe('missing');
    expect(status(beta, { path: '/x', unrecognised: true })).toBe('wrong version');
  });
});

describe('report', () => {
  it('exits 1 and names the fix when a required tool is missing', () => {
    const r = buildReport(fake, found({ alpha: {}, beta: { path: '/b', version: '3.11.7' }, gamma: { path: '/g', version: '1.0.0' }, delta: { path: '/d', version: '3.11.7' } }), all);
    expect(r.exitCode).toBe(1);
    const alpha = r.rows.find((x) => x.id === 'alpha');
    expect(alpha).toMatchObject({ status: 'missing', found: 'missing', required: true, fix: 'get alpha@1.2.3', wanted: '1.2.3' });
    expect(r.text).toMatch(/^tool\s+need\s+wanted\s+found\s+status$/m);
    expect(r.text).toMatch(/^alpha\s+required: labs\s+1\.2\.3\s+missing\s+missing$/m);
    expect(r.text).toContain('✗ alpha (missing): get alpha@1.2.3');
    expect(r.text).toMatch(/doctor: 4 tools, 3 ok, 1 missing — NOT READY: required alpha missing$/);
  });

  it('exits 1 when a required tool is too old', () => {
    const r = buildReport(fake, found({ alpha: { path: '/a', version: '1.2.3' }, beta: { path: '/b', version: '3.9.0' }, gamma: {}, delta: {} }), () => false);
    expect(r.exitCode).toBe(1);
    expect(r.rows.find((x) => x.id === 'beta')?.status).toBe('too old');
  });

  it('exits 0 when only optional tools are missing or a pin differs', () => {
    const r = buildReport(fake, found({ alpha: { path: '/a', version: '1.4.0' }, beta: { path: '/b', version: '3.11.7' }, gamma: {}, delta: { path: '/d', version: '3.11.7' } }), all);
    expect(r.exitCode).toBe(0);
    expect(r.text).toContain('! gamma (missing): apt-get install gamma');
    expect(r.text).toContain('! alpha (wrong version): get alpha@1.2.3');
    expect(r.text).toMatch(/ready \(see the notes above\)$/);
    expect(r.rows.find((x) => x.id === 'gamma')?.need).toBe('optional: slides');
  });

  it('treats a requiredWhen tool as optional until its file exists', () => {
    const results = found({ alpha: { path: '/a', version: '1.2.3' }, beta: { path: '/b', version: '3.11.7' }, gamma: { path: '/g', version: '2.0.0' }, delta: {} });
    const before = buildReport(fake, results, () => false);
    expect(before.exitCode).toBe(0);
    expect(before.rows.find((x) => x.id === 'delta')?.need).toBe('optional: venv; no pyproject.toml yet');
    expect(buildReport(fake, results, all).exitCode).toBe(1);
  });

  it('runDoctor uses the injected probe', async () => {
    const r = await runDoctor({ root: '/nowhere', toolchain: fake, fileExists: all, probe: async () => found({}) });
    expect(r.exitCode).toBe(1);
    expect(r.rows.every((x) => x.status === 'missing')).toBe(true);
  });
});

describe('probe', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'doctor-test-'));
    const bin = join(root, '.tools', 'bin');
    mkdirSync(bin, { recursive: true });
    const script = (name: string, body: string): void => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    script('alpha', 'echo "alpha version 1.2.3" >&2');
    script('beta', 'echo "no digits here"');
    script('gamma', 'exit 3');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads versions from a real executable (stderr too)', async () => {
    const [alpha, beta, gamma] = fake.tools;
    if (!alpha || !beta || !gamma) throw new Error('fixture');
    expect(await probeTool(alpha, root)).toEqual({ path: join(root, '.tools', 'bin', 'alpha'), version: '1.2.3' });
    expect(await probeTool(beta, root)).toMatchObject({ unrecognised: true });
    expect(await probeTool(gamma, root)).toMatchObject({ problem: 'exit 3' });
  });

  it('gives up on a hung tool after the timeout, in one line', async () => {
    const r = await run('/bin/sh', ['-c', 'sleep 5'], 200);
    expect(r).toMatchObject({ ok: false, problem: 'no answer within 0.2s' });
    const missing = await run(join(root, 'nope'), []);
    expect(missing).toMatchObject({ ok: false, problem: 'ENOENT' });
  });
});
