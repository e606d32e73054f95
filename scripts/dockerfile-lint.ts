/**
 * `node scripts/dockerfile-lint.ts <Dockerfile…>` — the kit's static Dockerfile rules
 * (tooling/dockerfile/lint.ts). One line per finding, `file:line rule message`.
 * Exit 0 clean, 1 findings, 2 bad usage (no path, or a path that is not a readable file: one
 * line each).
 */
import { readFileSync, statSync } from 'node:fs';
import { formatFinding, lintDockerfile } from '../tooling/dockerfile/lint.ts';

const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.log('dockerfile-lint: no Dockerfile given — usage: node scripts/dockerfile-lint.ts <Dockerfile…>');
  process.exit(2);
}
let bad = 0;
let findings = 0;
for (const file of paths) {
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : 'not a readable file';
    console.log(`dockerfile-lint: ${file}: ${reason}`);
    bad += 1;
    continue;
  }
  for (const finding of lintDockerfile(text)) {
    console.log(formatFinding(file, finding));
    findings += 1;
  }
}
process.exit(bad > 0 ? 2 : findings > 0 ? 1 : 0);
