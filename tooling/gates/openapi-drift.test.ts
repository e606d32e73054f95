/**
 * The catalogs' one OpenAPI document (tooling/contract/catalog.openapi.json): the copies each
 * catalog serves are byte-equal to it (Go's go:embed cannot reach outside its module, the Python
 * package ships without the repository), it is a valid OpenAPI 3.1 document (openapi-spec-
 * validator, pinned in pyproject.toml), its bounds are exact integers, and it lists exactly the
 * problem codes the two catalogs' taxonomies hold.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findTool } from '../toolchain/tools.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCE = 'tooling/contract/catalog.openapi.json';
/** Where each catalog serves it from; after editing the source: `cp <source> <copy>` for each. */
export const OPENAPI_COPIES = ['go/services/catalog/internal/ports/catalog.openapi.json', 'python/services/catalog/src/catalog/entrypoints/http/catalog.openapi.json'] as const;

const read = (rel: string): string => readFileSync(path.join(root, rel), 'utf8');

/** Every code a taxonomy declares: Go's problemType{status, "code", ...}, Python's ProblemType(status, "code", ...). */
function declaredCodes(dir: string, ext: string, pattern: RegExp): Set<string> {
  const codes = new Set<string>();
  for (const entry of readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith(ext) || entry.endsWith('_test.go')) continue;
    for (const m of read(path.join(dir, entry)).matchAll(pattern)) if (m[1]) codes.add(m[1]);
  }
  return codes;
}

describe('the catalogs\' OpenAPI document', () => {
  it('each catalog\'s copy is byte-equal to the source', () => {
    const source = read(SOURCE);
    for (const copy of OPENAPI_COPIES) expect(read(copy) === source, `${copy} differs from ${SOURCE}: cp ${SOURCE} ${copy}`).toBe(true);
  });

  it('is a valid OpenAPI 3.1 document', () => {
    const python = findTool(root, 'python');
    expect(python, 'python not found in .venv: run npm run bootstrap').toBeDefined();
    const out = execFileSync(python ?? 'python', ['-m', 'openapi_spec_validator', '--schema', '3.1', SOURCE], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('OK');
  }, 30_000);

  it('writes every bound as an exact integer (amount_minor up to 2^63-1)', () => {
    const text = read(SOURCE);
    expect(text).toMatch(/"maximum": 9223372036854775807\b/);
    expect(text).not.toMatch(/"(minimum|maximum|exclusiveMinimum|exclusiveMaximum|minLength|maxLength|minItems|maxItems)": -?\d+[.eE]/);
  });

  it('lists exactly the problem codes of both taxonomies', () => {
    const doc = JSON.parse(read(SOURCE)) as { components: { schemas: { ProblemCode: { enum: string[] } } } };
    const documented = new Set(doc.components.schemas.ProblemCode.enum);
    const go = declaredCodes('go/services/catalog/internal/ports', '.go', /problemType\{[^,]+, "([a-z_]+)"/g);
    const py = declaredCodes('python/services/catalog/src/catalog/entrypoints/http', '.py', /ProblemType\(\s*\d+,\s*"([a-z_]+)"/g);
    // The Python catalog has no rate limiter (yet): its taxonomy is the document's minus rate_limited.
    expect([...go].sort()).toEqual([...documented].sort());
    expect([...py].sort()).toEqual([...documented].filter((c) => c !== 'rate_limited').sort());
  });
});
