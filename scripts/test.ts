/**
 * `pnpm test` — the whole suite: every gate of tooling/gates/gates.ts (typecheck, vitest, every
 * language gate, security gates, slides, then `pnpm kit verify`), printed as one table by
 * tooling/gates/runner.ts. Exit 0 only when no gate failed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allGates } from '../tooling/gates/gates.ts';
import { runAndReport } from '../tooling/gates/runner.ts';
import { stopAllChildren } from '../tooling/lab-engine/process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

process.on('SIGINT', () => {
  stopAllChildren();
  process.exit(130);
});

const { failed } = await runAndReport('pnpm test', allGates(root));
process.exitCode = failed.length === 0 ? 0 : 1;
