/**
 * The dev container cannot be built here (no Docker engine), so what can be checked is checked:
 * the JSON against the spec's properties (strict), its Dockerfile with the kit's linter, and that
 * it runs the README's setup command on the kit's pinned runtimes.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintDockerfile } from '../dockerfile/lint.ts';
import { loadToolchain } from '../toolchain/tools.ts';
import { devContainerSchema } from './schema.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const dir = path.join(root, '.devcontainer');
const config = devContainerSchema.parse(JSON.parse(readFileSync(path.join(dir, 'devcontainer.json'), 'utf8')));
const dockerfile = readFileSync(path.join(dir, config.build.dockerfile), 'utf8');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('.devcontainer', () => {
  it('holds only properties of the spec, each of its type (a misspelt key fails)', () => {
    expect(() => devContainerSchema.parse({ ...config, postCreateComand: 'x' })).toThrow(/postCreateComand/);
    expect(() => devContainerSchema.parse({ ...config, forwardPorts: [70000] })).toThrow();
    expect(existsSync(path.join(dir, config.build.context ?? '.'))).toBe(true);
  });

  it('runs the README setup command after creation, nothing else', () => {
    const twoCommands = /## The two commands\n\n {4}(\S.*?)\s+#.*\n {4}(\S.*?)\s+#/.exec(readme);
    expect(twoCommands?.[1]).toBe('npm run bootstrap');
    expect(config.postCreateCommand).toBe(twoCommands?.[1]);
    expect(readme).toContain('## Dev container');
  });

  it('has a Dockerfile the kit linter passes, its base pinned by digest, Go at the kit minimum', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
    const from = /^FROM (\S+)/m.exec(dockerfile)?.[1] ?? '';
    expect(from).toMatch(/^golang:(\d+\.\d+)\.\d+-bookworm@sha256:[0-9a-f]{64}$/);
    const goMin = loadToolchain().tools.find((t) => t.id === 'go')?.min ?? '';
    expect(from.startsWith(`golang:${goMin.split('.').slice(0, 2).join('.')}`)).toBe(true);
  });

  it('gives Node the major the kit pins, and brings every system package pnpm test needs', () => {
    const pinned = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['node'] ?? '';
    expect(config.features?.['ghcr.io/devcontainers/features/node:1']?.['version']).toBe(pinned.split('.')[0]);
    for (const t of loadToolchain().tools.filter((x) => x.system)) {
      expect(dockerfile, `${t.id} (${t.system?.apt ?? ''})`).toMatch(new RegExp(`\\b${t.system?.apt ?? '-'}\\b`));
    }
  });

  it('forwards the decks and the services at their default ports, each labelled', () => {
    expect(config.forwardPorts).toEqual([3030, 8000, 8080, 9000, 50051]);
    for (const p of config.forwardPorts ?? []) expect(config.portsAttributes?.[String(p)]?.label, String(p)).toBeTruthy();
    const defaults: [string, RegExp][] = [
      ['python/services/recommender/src/recommender/cli.py', /"--port", type=_port, default=50051/],
      ['python/services/upstream_sim/src/upstream_sim/cli.py', /"--port", type=int, default=9000/],
      ['go/services/catalog/internal/platform/config.go', /"port", 8000,/],
      ['go/services/gateway/internal/platform/config.go', /"port", 8080,/],
    ];
    for (const [file, pattern] of defaults) expect(readFileSync(path.join(root, file), 'utf8'), file).toMatch(pattern);
  });
});
