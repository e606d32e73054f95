/** The schemathesis gate's shape: bounded and seeded, all checks, skipped only off CI. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGS, schemathesisArgs } from '../contract/schemathesis.ts';
import { allGates, schemathesisGate } from './gates.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('the schemathesis gate', () => {
  it('is in pnpm test, alone, and runs the TS runner', () => {
    const gate = allGates(root).find((g) => g.name.includes('schemathesis'));
    expect(gate?.alone).toBe(true);
    expect(gate?.args.at(-1)).toBe(path.join(root, 'tooling', 'contract', 'schemathesis.ts'));
  });

  it('fuzzes both catalogs from the committed document with every check, seeded and bounded', () => {
    expect(CATALOGS).toEqual(['python-catalog', 'go-catalog']);
    const args = schemathesisArgs(root, 'http://127.0.0.1:1');
    expect(args.slice(0, 2)).toEqual(['run', path.join(root, 'tooling/contract/catalog.openapi.json')]);
    for (const [flag, value] of [['--url', 'http://127.0.0.1:1'], ['--checks', 'all'], ['--max-examples', '50'], ['--seed', '1'], ['--workers', '1']] as const) {
      expect(args[args.indexOf(flag) + 1], flag).toBe(value);
    }
  });

  it('without schemathesis is skipped with the fix, but runs (and fails) with CI=true', () => {
    const bare = mkdtempSync(path.join(tmpdir(), 'no-venv-'));
    expect(schemathesisGate(bare, { PATH: '' }).skip).toMatch(/npm run bootstrap/);
    expect(schemathesisGate(bare, { PATH: '', CI: 'true' }).skip).toBeUndefined();
  });
});
