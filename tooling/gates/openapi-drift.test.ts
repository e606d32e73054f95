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

/**
 * The gateway's document (tooling/contract/gateway.openapi.json): the copy the gateway embeds is
 * byte-equal, it is valid OpenAPI 3.1, its bounds are the gateway's, and ProblemCode lists
 * exactly the codes the gateway can answer: its own (go/services/gateway/internal/ports) and the
 * recommender's ErrorInfo reasons under a gRPC code the gateway maps (INTERNAL ones become
 * upstream_error), in snake_case.
 */
const GATEWAY_SOURCE = 'tooling/contract/gateway.openapi.json';
/** After editing the source: `cp tooling/contract/gateway.openapi.json <copy>`. */
export const GATEWAY_OPENAPI_COPY = 'go/services/gateway/internal/ports/gateway.openapi.json';

interface Param { name: string; in: string; required?: boolean; schema: Record<string, unknown> }
interface GatewayDoc {
  paths: Record<string, Record<string, { parameters?: Param[]; responses: Record<string, unknown>; security?: unknown[] }>>;
  components: { schemas: { ProblemCode: { enum: string[] } } & Record<string, unknown>; securitySchemes: Record<string, { type: string; scheme: string }> };
}

describe('the gateway\'s OpenAPI document', () => {
  const doc = (): GatewayDoc => JSON.parse(read(GATEWAY_SOURCE)) as GatewayDoc;

  it('the gateway\'s embedded copy is byte-equal to the source', () => {
    expect(read(GATEWAY_OPENAPI_COPY) === read(GATEWAY_SOURCE), `${GATEWAY_OPENAPI_COPY} differs from ${GATEWAY_SOURCE}: cp ${GATEWAY_SOURCE} ${GATEWAY_OPENAPI_COPY}`).toBe(true);
  });

  it('is a valid OpenAPI 3.1 document', () => {
    const python = findTool(root, 'python');
    expect(python, 'python not found in .venv: run npm run bootstrap').toBeDefined();
    const out = execFileSync(python ?? 'python', ['-m', 'openapi_spec_validator', '--schema', '3.1', GATEWAY_SOURCE], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('OK');
  }, 30_000);

  it('has every route, the bearer scheme, and the gateway\'s exact bounds', () => {
    const d = doc();
    const text = read(GATEWAY_SOURCE);
    expect(Object.keys(d.paths).sort()).toEqual(['/admin/weights', '/feedback', '/healthz', '/metrics', '/openapi.json', '/readyz', '/users/{id}/recommendations', '/users/{id}/recommendations/stream']);
    expect(d.components.securitySchemes['bearerAuth']).toMatchObject({ type: 'http', scheme: 'bearer' });
    const params = (p: string, m: string): Map<string, Param> => new Map((d.paths[p]?.[m]?.parameters ?? []).map((x) => [x.name, x]));
    const recommend = params('/users/{id}/recommendations', 'get');
    // The same patterns as internal/ports/decode.go.
    const decode = read('go/services/gateway/internal/ports/decode.go');
    const goPattern = (name: string): string => new RegExp(`${name} = regexp\\.MustCompile\\(\`([^\`]+)\`\\)`).exec(decode)?.[1] ?? 'missing';
    expect(recommend.get('language')?.schema['pattern']).toBe(goPattern('languagePattern'));
    // The positive space of language is the recommender's catalogue: a well-formed tag it has no items for is 400 unsupported_language.
    const catalogue = [...read('python/services/recommender/src/recommender/model.py').matchAll(/^ {4}"([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)": _items\(/gm)].map((m) => m[1]).sort();
    expect(catalogue.length).toBeGreaterThan(0);
    for (const p of ['/users/{id}/recommendations', '/users/{id}/recommendations/stream']) expect(params(p, 'get').get('language')?.schema['enum'], p).toEqual(catalogue);
    expect(recommend.get('limit')?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    expect(decode).toMatch(/const maxLimit = 100\b/);
    expect(recommend.get('max_difficulty')?.schema['enum']).toEqual(['beginner', 'intermediate', 'advanced']);
    expect(recommend.get('exclude')?.schema['type']).toBe('array');
    expect(recommend.get('X-Request-Timeout-Ms')).toMatchObject({ in: 'header', schema: { type: 'integer', minimum: 0 } });
    expect(text).toMatch(/"maximum": 9223372036854775807\b/);
    const feedback = params('/feedback', 'post');
    expect(feedback.get('Idempotency-Key')).toMatchObject({ in: 'header', required: true, schema: { pattern: '^[A-Za-z0-9._~:-]{8,128}$' } });
    expect(goPattern('idempotencyKeyPattern')).toBe('^[A-Za-z0-9._~:-]{8,128}$');
    expect(text).toContain('"application/x-ndjson"');
    for (const p of ['/healthz', '/readyz', '/openapi.json', '/metrics']) expect(d.paths[p]?.['get']?.security, p).toEqual([]);
    // A token for u-1 asking for another user is documented (the schemathesis gate relies on it).
    for (const [p, m] of [['/users/{id}/recommendations', 'get'], ['/users/{id}/recommendations/stream', 'get'], ['/feedback', 'post']] as const) {
      expect(Object.keys(d.paths[p]?.[m]?.responses ?? {}), `${m} ${p}`).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '499', '500', '502', '503', '504']));
    }
    expect(text).not.toMatch(/"(minimum|maximum|minLength|maxLength|minItems|maxItems)": -?\d+[.eE]/);
  });

  it('lists exactly the problem codes the gateway can answer', () => {
    const documented = [...new Set(doc().components.schemas.ProblemCode.enum)].sort();
    const edge = declaredCodes('go/services/gateway/internal/ports', '.go', /(?:problemType\{|codes\.\w+:\s*\{)[^,]+, "([a-z_]+)"/g);
    const errors = read('python/services/recommender/src/recommender/errors.py');
    const reasons = [...errors.matchAll(/code = grpc\.StatusCode\.(\w+)\s+reason = "([A-Z_]+)"/g)]
      .filter((m) => m[1] !== 'INTERNAL')
      .map((m) => (m[2] ?? '').toLowerCase());
    expect(reasons).toContain('user_mismatch');
    expect(documented).toEqual([...new Set([...edge, ...reasons])].sort());
  });
});
