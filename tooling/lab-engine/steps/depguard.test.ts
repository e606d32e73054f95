/**
 * The Go architecture rules fail where they should: temporary copies of the Go catalog and the
 * gateway with a forbidden import planted in their core, linted with their own .golangci.yml
 * (depguard only), name the import and the rule (the `core` list and its reason).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool } from '../../toolchain/tools.ts';
import type { StepContext, StepOf } from './context.ts';
import { golangciLint } from './go.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const golangci = findTool(root, 'golangci-lint');
const go = findTool(root, 'go');

describe.skipIf(!golangci || !go)('depguard rules in the Go services, on copies with planted forbidden imports', () => {
  let copy = '';
  beforeAll(() => {
    copy = mkdtempSync(path.join(tmpdir(), 'archlint-go-'));
    // The same layout: the gateway's go.mod replaces the generated code with ../../gen.
    for (const dir of ['go/gen', 'go/services/catalog', 'go/services/gateway']) {
      cpSync(path.join(root, dir), path.join(copy, dir), { recursive: true });
    }
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  const ctx = (): StepContext => ({ root: copy, lab: undefined as never, tools: new Map([['golangci-lint', golangci ?? ''], ['go', go ?? '']]), scratch: copy });
  const step = (dir: string, packages: string[]): StepOf<'golangci-lint'> => ({ kind: 'golangci-lint', name: 'architecture rules (depguard)', dir, packages, linters: ['depguard'] });

  it('the catalog: net/http and the NATS client in internal/domain are named with the rule', async () => {
    writeFileSync(path.join(copy, 'go/services/catalog/internal/domain/planted.go'), 'package domain\n\nimport (\n\t_ "net/http"\n\t_ "github.com/nats-io/nats.go"\n)\n');
    const result = await golangciLint(ctx(), step('go/services/catalog', ['./internal/domain/...', './internal/app/...']));
    expect(result.status, JSON.stringify(result)).toBe('fail');
    const failures = result.status === 'fail' ? result.failures : [];
    expect(failures.map((f) => f.where)).toEqual(['go/services/catalog/internal/domain/planted.go:4', 'go/services/catalog/internal/domain/planted.go:5']);
    expect(failures[0]?.message).toMatch(/^depguard: import 'net\/http' is not allowed from list 'core': the core knows no transport/);
    expect(failures[1]?.message).toContain("import 'github.com/nats-io/nats.go' is not allowed from list 'core'");
  }, 120_000);

  it('the gateway: net/http in internal/app is named with the rule; its tests may import anything', async () => {
    writeFileSync(path.join(copy, 'go/services/gateway/internal/app/planted.go'), 'package app\n\nimport _ "net/http"\n');
    writeFileSync(path.join(copy, 'go/services/gateway/internal/app/planted_test.go'), 'package app\n\nimport _ "net/http/httptest"\n');
    const result = await golangciLint(ctx(), step('go/services/gateway', ['./internal/app/...']));
    expect(result.status, JSON.stringify(result)).toBe('fail');
    const failures = result.status === 'fail' ? result.failures : [];
    expect(failures).toHaveLength(1);
    expect(failures[0]?.where).toBe('go/services/gateway/internal/app/planted.go:3');
    expect(failures[0]?.message).toContain("import 'net/http' is not allowed from list 'core'");
  }, 120_000);
});
