/**
 * Gate `proto: codegen drift`: regenerates Go and Python code with the kit's own generator
 * (tooling/codegen/generate.ts, the same code `pnpm gen` runs) into a temporary folder and
 * compares it byte for byte with the committed files, both ways: a file that differs, one
 * that is missing, and a committed generated file that is no longer produced (stale) all fail,
 * named. Exit 0 clean, 1 drift or error.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, generatedFiles } from '../codegen/generate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const out = mkdtempSync(path.join(tmpdir(), 'proto-drift-'));
try {
  const result = await generate(root, out);
  if (!result.ok) {
    console.log(result.message);
    process.exit(1);
  }
  const fresh = generatedFiles(out);
  const drift: string[] = [];
  for (const rel of fresh) {
    const committed = path.join(root, rel);
    if (!existsSync(committed)) drift.push(`missing: ${rel}`);
    else if (!readFileSync(committed).equals(readFileSync(path.join(out, rel)))) drift.push(`differs: ${rel}`);
  }
  for (const rel of generatedFiles(root)) if (!fresh.includes(rel)) drift.push(`stale: ${rel}`);
  if (drift.length > 0) {
    console.log(`generated code is out of date with proto/ (regenerate with pnpm gen):\n${drift.join('\n')}`);
    process.exit(1);
  }
  console.log(`generated code matches proto/ (${fresh.length} files, Go and Python)`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
