/** `pnpm docs [check | sync]` — the guides under docs/: check (default) that every included code block equals its source, or rewrite the blocks from the files. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDocs, formatProblem, markdownFiles, syncDocs } from '../tooling/docs/includes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const verb = process.argv[2] ?? 'check';

if (verb === 'check') {
  const problems = checkDocs(root);
  for (const problem of problems) console.error(formatProblem(problem));
  console.log(problems.length === 0 ? `docs: ${markdownFiles(root).length} guides in sync with the code` : `docs: ${problems.length} problem(s)`);
  process.exitCode = problems.length === 0 ? 0 : 1;
} else if (verb === 'sync') {
  const { changed, problems } = syncDocs(root);
  for (const doc of changed) console.log(`docs: rewrote ${doc}`);
  for (const problem of problems) console.error(formatProblem(problem));
  if (changed.length === 0 && problems.length === 0) console.log('docs: nothing to rewrite');
  process.exitCode = problems.length === 0 ? 0 : 1;
} else {
  console.error(`usage: pnpm docs [check | sync] (got ${JSON.stringify(verb)})`);
  process.exitCode = 2;
}
