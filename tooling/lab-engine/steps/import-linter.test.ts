/**
 * The architecture rules fail where they should: a temporary copy of the Python services with
 * a forbidden import planted in the catalog's domain breaks the contracts in pyproject.toml,
 * and the step names the rule, the forbidden import and the line that brings it in.
 */
import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool } from '../../toolchain/tools.ts';
import { loadLabs } from '../labs.ts';
import type { StepContext, StepOf } from './context.ts';
import { importLinter, importLinterFailures } from './import-linter.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const lintImports = findTool(root, 'lint-imports');

const REPORT = `Contracts: 0 kept, 1 broken.


----------------
Broken contracts
----------------

catalog: domain, ports and use cases never import adapters or entrypoints
-------------------------------------------------------------------------

catalog.domain is not allowed to import catalog.adapters:

-   catalog.domain.money -> catalog.adapters.sqlite (l.34)


catalog.ports is not allowed to import catalog.adapters:

-   catalog.ports -> catalog.domain.product (l.19)
    catalog.domain.product -> catalog.domain.money (l.9)
    catalog.domain.money -> catalog.adapters.sqlite (l.34)

`;

describe('importLinterFailures (lint-imports text report)', () => {
  it('gives one failure per broken contract, naming the rule, the forbidden import and file:line', () => {
    const failures = importLinterFailures(REPORT, root);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.test).toBe('catalog: domain, ports and use cases never import adapters or entrypoints');
    expect(failures[0]?.message).toContain('catalog.domain imports catalog.adapters (first step: catalog.domain.money -> catalog.adapters.sqlite, line 34)');
    expect(failures[0]?.message).toContain('catalog.ports imports catalog.adapters');
    expect(failures[0]?.where).toBe('python/services/catalog/src/catalog/domain/money.py:34');
  });

  it('finds nothing in a report with every contract kept', () => {
    expect(importLinterFailures('Contracts: 3 kept, 0 broken.\n', root)).toEqual([]);
  });
});

describe.skipIf(!lintImports)('the contracts in pyproject.toml, on a copy with a planted forbidden import', () => {
  let copy = '';
  beforeAll(() => {
    copy = mkdtempSync(path.join(tmpdir(), 'archlint-py-'));
    cpSync(path.join(root, 'pyproject.toml'), path.join(copy, 'pyproject.toml'));
    for (const service of ['catalog', 'recommender']) {
      cpSync(path.join(root, 'python/services', service, 'src'), path.join(copy, 'python/services', service, 'src'), { recursive: true });
    }
    if (existsSync(path.join(root, 'python/gen'))) cpSync(path.join(root, 'python/gen'), path.join(copy, 'python/gen'), { recursive: true });
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  const ctx = (): StepContext => ({ root: copy, lab: undefined as never, tools: new Map([['lint-imports', lintImports ?? '']]), scratch: copy });
  const step = async (): Promise<StepOf<'import-linter'>> => {
    const lab = (await loadLabs(root)).find((l) => l.number === 3);
    const found = lab?.manifest.steps.find((s) => s.kind === 'import-linter');
    if (found?.kind !== 'import-linter') throw new Error('lab 3 has no import-linter step');
    return found;
  };

  it('passes on the tree as it is', async () => {
    const result = await importLinter(ctx(), await step());
    expect(result.status, JSON.stringify(result)).toBe('pass');
  });

  it('fails on `import catalog.adapters.sqlite` in the domain, naming the import, the rule and the line', async () => {
    const product = path.join(copy, 'python/services/catalog/src/catalog/domain/product.py');
    appendFileSync(product, '\nimport catalog.adapters.sqlite  # planted\n');
    const result = await importLinter(ctx(), await step());
    expect(result.status).toBe('fail');
    const failures = result.status === 'fail' ? result.failures : [];
    // Both rules break: the adapter itself, and the drivers it imports.
    expect(failures.map((f) => f.test)).toEqual([
      'catalog: domain, ports and use cases never import adapters or entrypoints',
      'catalog: domain, ports and use cases never import web frameworks or database drivers',
    ]);
    expect(failures[0]?.message).toContain('catalog.domain imports catalog.adapters (first step: catalog.domain.product -> catalog.adapters.sqlite');
    expect(failures[0]?.where).toMatch(/^python\/services\/catalog\/src\/catalog\/domain\/product\.py:\d+$/);
    expect(failures[1]?.message).toMatch(/catalog\.domain imports (aiosqlite|sqlite3)/);
  });
});
