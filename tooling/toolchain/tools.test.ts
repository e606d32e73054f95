import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOnPath, findTool, loadToolchain, parseToolchain, postgresBinDirs, toolSpec } from './tools.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tools-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function exe(path: string, mode = 0o755): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\necho hi\n');
  chmodSync(path, mode);
  return path;
}

describe('findTool', () => {
  it('prefers .tools/bin, then .venv/bin, then node_modules/.bin, then PATH', () => {
    const root = join(dir, 'repo');
    const sys = join(dir, 'sys');
    const pgRoot = join(dir, 'pg');
    const opts = { path: sys, pgRoot };
    const onPath = exe(join(sys, 'tool'));
    expect(findTool(root, 'tool', opts)).toBe(onPath);
    const nm = exe(join(root, 'node_modules', '.bin', 'tool'));
    expect(findTool(root, 'tool', opts)).toBe(nm);
    const venv = exe(join(root, '.venv', 'bin', 'tool'));
    expect(findTool(root, 'tool', opts)).toBe(venv);
    const tools = exe(join(root, '.tools', 'bin', 'tool'));
    expect(findTool(root, 'tool', opts)).toBe(tools);
  });

  it('skips files that are not executable, and directories', () => {
    const root = join(dir, 'repo');
    const sys = join(dir, 'sys');
    exe(join(root, '.tools', 'bin', 'tool'), 0o644);
    mkdirSync(join(root, '.venv', 'bin', 'tool'), { recursive: true });
    const onPath = exe(join(sys, 'tool'));
    expect(findTool(root, 'tool', { path: sys, pgRoot: join(dir, 'none') })).toBe(onPath);
  });

  it('returns undefined when the tool is nowhere, and for names with a slash', () => {
    expect(findTool(dir, 'no-such-tool', { path: join(dir, 'sys'), pgRoot: join(dir, 'pg') })).toBeUndefined();
    expect(findTool(dir, '../x', { path: '' })).toBeUndefined();
  });

  it('searches PATH entries in order', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(a);
    const inB = exe(join(b, 'tool'));
    expect(findOnPath('tool', [a, b].join(delimiter))).toBe(inB);
    const inA = exe(join(a, 'tool'));
    expect(findOnPath('tool', [a, b].join(delimiter))).toBe(inA);
    expect(findOnPath('tool', [a, b].join(delimiter), (d) => d === a)).toBe(inB);
  });

  it('takes PostgreSQL tools from the newest /usr/lib/postgresql/<v>/bin, before PATH', () => {
    const pgRoot = join(dir, 'pg');
    const sys = join(dir, 'sys');
    exe(join(pgRoot, '9.6', 'bin', 'postgres'));
    exe(join(pgRoot, '13', 'bin', 'postgres'));
    const newest = exe(join(pgRoot, '15', 'bin', 'postgres'));
    exe(join(pgRoot, '15', 'bin', 'initdb'));
    exe(join(sys, 'postgres')); // e.g. an odd /usr/local/bin/postgres
    expect(postgresBinDirs(pgRoot)).toEqual([join(pgRoot, '15', 'bin'), join(pgRoot, '13', 'bin'), join(pgRoot, '9.6', 'bin')]);
    expect(findTool(join(dir, 'repo'), 'postgres', { path: sys, pgRoot })).toBe(newest);
    expect(findTool(join(dir, 'repo'), 'initdb', { path: sys, pgRoot })).toBe(join(pgRoot, '15', 'bin', 'initdb'));
    // A tool only in an older version's bin is still found there.
    const old = exe(join(pgRoot, '13', 'bin', 'pg_isready'));
    expect(findTool(join(dir, 'repo'), 'pg_isready', { path: sys, pgRoot })).toBe(old);
    // Non-PostgreSQL names never look there.
    exe(join(pgRoot, '15', 'bin', 'other'));
    expect(findTool(join(dir, 'repo'), 'other', { path: sys, pgRoot })).toBeUndefined();
  });

  it('is fast: sync checks only', () => {
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) findTool(dir, 'nothing-here', { path: '/usr/bin:/bin' });
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe('toolchain.json', () => {
  it('loads, with every pin the kit relies on', () => {
    const tc = loadToolchain();
    const ids = tc.tools.map((t) => t.id);
    for (const id of ['node', 'system-node', 'pnpm', 'uv', 'python', 'system-python', 'go', 'golangci-lint', 'staticcheck', 'protoc-gen-go', 'protoc-gen-go-grpc', 'buf', 'chromium', 'postgres', 'sloth', 'promtool']) {
      expect(ids).toContain(id);
    }
    expect(toolSpec('pnpm', tc).pinned).toBe('12.21.0');
    expect(toolSpec('uv', tc).pinned).toBe('0.13.9');
    expect(toolSpec('chromium', tc).required).toBe(false);
    expect(toolSpec('postgres', tc).required).toBe(false);
    expect(toolSpec('sloth', tc).pinned).toBe('v0.16.0');
    expect(toolSpec('promtool', tc).required).toBe(false);
  });

  it('gives every go tool a module, a package and a pin, and fills the fix command', () => {
    const goTools = loadToolchain().tools.filter((t) => t.go);
    expect(goTools.map((t) => t.id).sort()).toEqual(['actionlint', 'cyclonedx-gomod', 'gitleaks', 'golangci-lint', 'gosec', 'kube-score', 'nats-server', 'protoc-gen-go', 'protoc-gen-go-grpc', 'sloth', 'staticcheck']);
    for (const t of goTools) {
      expect(t.pinned).toMatch(/^v\d+\.\d+\.\d+$/);
      expect(t.go?.package.startsWith(t.go.module)).toBe(true);
      expect(t.fix).toBe(`GOBIN="$PWD/.tools/bin" go install ${t.go?.package ?? ''}@${t.pinned ?? ''}`);
      expect(t.fix).not.toContain('{');
    }
    expect(toolSpec('pnpm').fix).toBe('npm i -g pnpm@12.21.0');
  });

  it('rejects broken data with one line', () => {
    expect(() => parseToolchain({ tools: { x: { bin: 'x' } } })).toThrow(/^toolchain\.json: tools\.x\.version must be an object$/);
    expect(() => parseToolchain([])).toThrow(/top level must be an object/);
    const base = { bin: 'x', for: 'y', source: 'z', fix: 'f', version: { args: [], pattern: '(' } };
    expect(() => parseToolchain({ tools: { x: { ...base, required: true } } })).toThrow(/pattern is not a valid regex/);
    expect(() => parseToolchain({ tools: { x: { ...base, version: { args: [], pattern: 'v' } } } })).toThrow(/required must be true or false/);
  });
});
