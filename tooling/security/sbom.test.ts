// `pnpm sbom` writes a CycloneDX JSON document per dependency set; each must validate against
// the CycloneDX schema shipped in tooling/security/cyclonedx-schema (offline, ajv).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goModules } from '../gates/gates.ts';
import { run } from '../lab-engine/process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const schemaDir = path.join(root, 'tooling', 'security', 'cyclonedx-schema');
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function validator(specVersion: string): (doc: unknown) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  for (const f of readdirSync(schemaDir).filter((n) => n.endsWith('.schema.json') && !n.startsWith('bom-'))) {
    // The bom schemas $ref `<name>.SNAPSHOT.schema.json` relative to their $id: register each
    // helper schema under that address (without its own $id, which lacks `.SNAPSHOT`).
    const { $id: _id, ...schema } = JSON.parse(readFileSync(path.join(schemaDir, f), 'utf8')) as Record<string, unknown>;
    ajv.addSchema(schema, `http://cyclonedx.org/schema/${f}`);
  }
  const file = `bom-${specVersion}.SNAPSHOT.schema.json`;
  const validate = ajv.compile(JSON.parse(readFileSync(path.join(schemaDir, file), 'utf8')) as object);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

describe('pnpm sbom', () => {
  let out = '';
  let ran: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    out = mkdtempSync(path.join(tmpdir(), 'sbom-test-'));
    ran = await run(process.execPath, [path.join(root, 'scripts', 'sbom.ts'), '--out', out], { cwd: root, timeoutMs: 120_000 });
  }, 130_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes one document per dependency set and exits 0', () => {
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const expected = ['node.cdx.json', 'python.cdx.json', ...goModules(root).map((d) => `go-${path.relative(root, d).replace(/^go\//, '').replaceAll('/', '-')}.cdx.json`)];
    expect(readdirSync(out).sort()).toEqual(expected.sort());
  });

  it('each document is valid CycloneDX JSON and lists components', () => {
    for (const f of readdirSync(out)) {
      const doc = JSON.parse(readFileSync(path.join(out, f), 'utf8')) as { bomFormat: string; specVersion: string; components?: unknown[] };
      expect(doc.bomFormat, f).toBe('CycloneDX');
      expect(['1.5', '1.6', '1.7'], `${f}: specVersion ${doc.specVersion}`).toContain(doc.specVersion);
      expect(validator(doc.specVersion)(doc), f).toEqual([]);
      expect(doc.components?.length ?? 0, f).toBeGreaterThan(0);
    }
  });

  it('the schema check rejects a broken document', () => {
    expect(validator('1.6')({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ type: 'nonsense', name: 1 }] }).length).toBeGreaterThan(0);
  });
});
