/**
 * Gate `proto: codegen drift`: regenerates the stubs with `buf generate` into a temporary folder
 * and compares them with the committed ones. Fails (naming the files) when they differ, so a
 * changed .proto cannot land without its regenerated code. Exit 0 clean, 1 drift or error.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTool } from '../toolchain/tools.ts';
import { run } from '../lab-engine/process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

const template = ['buf.gen.yaml', 'proto/buf.gen.yaml'].find((t) => existsSync(path.join(root, t)));
if (!template) {
  console.log('codegen drift: no buf.gen.yaml (root or proto/): add one so generated code can be checked');
  process.exit(1);
}
const out = mkdtempSync(path.join(tmpdir(), 'proto-drift-'));
try {
  const buf = findTool(root, 'buf') ?? 'buf';
  const ran = await run(buf, ['generate', 'proto', '--template', template, '-o', out], { cwd: root, timeoutMs: 5 * 60_000 });
  if (ran.code !== 0) {
    console.log(`buf generate failed:\n${ran.stdout}${ran.stderr}`);
    process.exit(1);
  }
  const drift: string[] = [];
  for (const generated of files(out)) {
    const rel = path.relative(out, generated);
    const committed = path.join(root, rel);
    if (!existsSync(committed)) drift.push(`missing: ${rel}`);
    else if (!readFileSync(committed).equals(readFileSync(generated))) drift.push(`differs: ${rel}`);
  }
  if (drift.length > 0) {
    console.log(`generated code is out of date (regenerate with buf generate):\n${drift.join('\n')}`);
    process.exit(1);
  }
  console.log('generated code matches proto/');
} finally {
  rmSync(out, { recursive: true, force: true });
}
