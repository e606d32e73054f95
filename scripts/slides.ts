/** `pnpm slides [deck | build | export | test]` — the decks; the logic is in tooling/slides/. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError } from '../tooling/lab-engine/errors.ts';
import { stopAllChildren } from '../tooling/lab-engine/process.ts';
import { main } from '../tooling/slides/cli.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

process.on('SIGINT', () => {
  stopAllChildren();
  process.exit(130);
});

try {
  process.exitCode = await main(root, process.argv.slice(2));
} catch (error) {
  const { line, exitCode } = describeError(error);
  console.error(line);
  if (process.env['LAB_DEBUG'] && error instanceof Error) console.error(error.stack);
  process.exitCode = exitCode;
} finally {
  stopAllChildren();
}
