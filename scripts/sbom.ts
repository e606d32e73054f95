/**
 * `pnpm sbom [--out DIR]` — CycloneDX 1.6 JSON documents of the kit's dependency sets, into
 * dist/sbom/ (or DIR):
 * - node.cdx.json: from `pnpm list --json --depth Infinity` (written here: cyclonedx-npm
 *   expects npm's node_modules layout, not pnpm's);
 * - python.cdx.json: cyclonedx-py (PyPI cyclonedx-bom, pinned in the dev group) over .venv;
 * - go-<module>.cdx.json: cyclonedx-gomod (pinned, .tools/bin) `mod` per Go module.
 * tooling/security/sbom.test.ts validates them against the shipped CycloneDX schema.
 * Exit 0 all written, 1 a generator failed, 2 bad usage.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { goModules } from '../tooling/gates/gates.ts';
import { run } from '../tooling/lab-engine/process.ts';
import { nodeBom, type PnpmListEntry } from '../tooling/security/node-bom.ts';
import { findTool } from '../tooling/toolchain/tools.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
if ((outAt >= 0 && !args[outAt + 1]) || args.some((a, i) => a !== '--out' && i !== outAt + 1)) {
  console.log('usage: pnpm sbom [--out DIR]');
  process.exit(2);
}
const out = path.resolve(outAt >= 0 ? (args[outAt + 1] as string) : path.join(root, 'dist', 'sbom'));
mkdirSync(out, { recursive: true });

let ok = true;
async function gen(label: string, file: string, produce: () => Promise<string | null>): Promise<void> {
  const started = performance.now();
  const err = await produce();
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  if (err === null) console.log(`✓ ${label.padEnd(28)} ${path.relative(root, path.join(out, file))} (${secs}s)`);
  else {
    ok = false;
    console.log(`✗ ${label}: ${err}`);
  }
}

await gen('node (pnpm list)', 'node.cdx.json', async () => {
  const pnpm = findTool(root, 'pnpm') ?? 'pnpm';
  const ran = await run(pnpm, ['list', '--json', '--depth', 'Infinity'], { cwd: root, timeoutMs: 120_000 });
  if (ran.code !== 0) return `pnpm list failed: ${ran.stderr.trim().split('\n')[0] ?? ''}`;
  const bom = nodeBom(JSON.parse(ran.stdout) as PnpmListEntry[]);
  writeFileSync(path.join(out, 'node.cdx.json'), `${JSON.stringify(bom, null, 2)}\n`);
  return null;
});

await gen('python (cyclonedx-py)', 'python.cdx.json', async () => {
  const cdx = path.join(root, '.venv', 'bin', 'cyclonedx-py');
  const ran = await run(cdx, ['environment', '--pyproject', 'pyproject.toml', '--sv', '1.6', '--of', 'JSON', '--output-reproducible', '--no-validate', '-o', path.join(out, 'python.cdx.json'), path.join(root, '.venv', 'bin', 'python')], { cwd: root, timeoutMs: 300_000 });
  return ran.code === 0 ? null : `${ran.stdout}${ran.stderr}`.trim().split('\n').slice(-5).join(' ') || 'cyclonedx-py not found — run `pnpm run doctor`';
});

const gomod = findTool(root, 'cyclonedx-gomod');
for (const dir of goModules(root)) {
  const rel = path.relative(root, dir);
  const file = `go-${rel.replace(/^go\//, '').replaceAll('/', '-')}.cdx.json`;
  await gen(`go ${rel} (cyclonedx-gomod)`, file, async () => {
    if (!gomod) return 'cyclonedx-gomod not found — run `pnpm run doctor`';
    const ran = await run(gomod, ['mod', '-json', '-licenses=false', '-output-version', '1.6', '-output', path.join(out, file), dir], { cwd: root, timeoutMs: 300_000 });
    return ran.code === 0 ? null : `${ran.stdout}${ran.stderr}`.trim().split('\n').slice(-5).join(' ');
  });
}
process.exitCode = ok ? 0 : 1;
