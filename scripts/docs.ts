/** `pnpm docs [check | sync]` — the guides under docs/ and the decks' slides.md: check (default) that every included code block equals its source, or rewrite the blocks from the files. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDocs, docTargets, formatProblem, syncDocs } from '../tooling/docs/includes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const verb = process.argv[2] ?? 'check';
const targets = docTargets(root);

if (verb === 'check') {
  const problems = checkDocs(root, targets);
  for (const problem of problems) console.error(formatProblem(problem));
  console.log(problems.length === 0 ? `docs: ${targets.length} guides and decks in sync with the code` : `docs: ${problems.length} problem(s)`);
  process.exitCode = problems.length === 0 ? 0 : 1;
} else if (verb === 'sync') {
  const { changed, problems } = syncDocs(root, targets);
  for (const doc of changed) console.log(`docs: rewrote ${doc}`);
  for (const problem of problems) console.error(formatProblem(problem));
  if (changed.length === 0 && problems.length === 0) console.log('docs: nothing to rewrite');
  process.exitCode = problems.length === 0 ? 0 : 1;
} else {
  console.error(`usage: pnpm docs [check | sync] (got ${JSON.stringify(verb)})`);
  process.exitCode = 2;
}
