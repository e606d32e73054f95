// The Go gates include a go.mod/go.sum drift check per module: it passes on a tidy module and
// fails, showing the diff, on one whose go.mod `go mod tidy` would change. The modules are
// local (a replace to a sibling folder), so the test needs no module proxy.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allGates, runGate } from './gates.ts';

const root = mkdtempSync(path.join(tmpdir(), 'gates-tidy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function module(rel: string, goMod: string, mainGo = 'package main\n\nfunc main() {}\n'): void {
  const dir = path.join(root, 'go', rel);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'go.mod'), goMod);
  writeFileSync(path.join(dir, 'main.go'), mainGo);
}

module('lib', 'module example.test/lib\n\ngo 1.23\n', 'package lib\n');
module('tidy', 'module example.test/tidy\n\ngo 1.23\n');
// Requires a module it never imports: `go mod tidy` would drop the require (and the replace stays).
module('untidy', 'module example.test/untidy\n\ngo 1.23\n\nrequire example.test/lib v0.0.0\n\nreplace example.test/lib => ../lib\n');

describe('go mod tidy gate', () => {
  const tidyGates = allGates(root).filter((g) => g.scope === 'go' && g.name.includes('go mod tidy -diff'));

  it('exists once per module under go/', () => {
    expect(tidyGates.map((g) => path.relative(root, g.cwd)).sort()).toEqual(['go/lib', 'go/tidy', 'go/untidy']);
  });

  it('passes on a tidy module and fails with the diff on an untidy one', async () => {
    const byModule = new Map(tidyGates.map((g) => [path.basename(g.cwd), g]));
    const tidy = await runGate(byModule.get('tidy')!);
    expect(tidy.status, tidy.output).toBe('pass');
    const untidy = await runGate(byModule.get('untidy')!);
    expect(untidy.status).toBe('fail');
    expect(untidy.output).toContain('-require example.test/lib v0.0.0');
  });
});
