/**
 * The schemathesis gate: each catalog started as a probe starts it (tooling/services/start.ts,
 * free port, health wait, teardown), then `schemathesis run` against the committed OpenAPI
 * document (tooling/contract/catalog.openapi.json) with every check, a bounded, seeded number of
 * examples, one worker. A failure prints schemathesis' own report: each failure ends with
 * "Reproduce with:" and a curl command.
 *
 *   pnpm exec node tooling/contract/schemathesis.ts [python-catalog|go-catalog ...]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, stopAllChildren } from '../lab-engine/process.ts';
import { toolsOfService } from '../services/registry.ts';
import { startStack } from '../services/start.ts';
import { findTool } from '../toolchain/tools.ts';

export const CATALOGS = ['python-catalog', 'go-catalog'] as const;
export const OPENAPI_DOCUMENT = 'tooling/contract/catalog.openapi.json';

/** Examples per operation and phase, and the seed: the same run every time. */
export const MAX_EXAMPLES = 50;
export const SEED = 1;
/** One service's run may not take longer (measured: ~10 s each on a quiet machine). */
export const RUN_TIMEOUT_MS = 180_000;

/** The `schemathesis run` arguments for one base URL. */
export function schemathesisArgs(root: string, baseUrl: string): string[] {
  return [
    'run',
    path.join(root, OPENAPI_DOCUMENT),
    '--url', baseUrl,
    '--checks', 'all',
    '--max-examples', String(MAX_EXAMPLES),
    '--seed', String(SEED),
    '--workers', '1',
    '--no-color',
  ];
}

/** Runs schemathesis against each service; returns how many failed. */
export async function fuzzCatalogs(root: string, names: readonly string[], log: (line: string) => void = console.log): Promise<number> {
  const schemathesis = findTool(root, 'schemathesis');
  if (!schemathesis) {
    log('schemathesis not found in .venv: run npm run bootstrap');
    return names.length;
  }
  let failed = 0;
  for (const name of names) {
    const tools = new Map<string, string>();
    for (const t of toolsOfService(name)) {
      const found = findTool(root, t);
      if (found) tools.set(t, found);
    }
    const stack = await startStack(root, name, tools, 60_000);
    if (stack.status !== 'started') {
      log(`✗ ${name}: did not start: ${stack.message}`);
      failed += 1;
      continue;
    }
    // A scratch folder: schemathesis keeps its example database under the working directory.
    const scratch = mkdtempSync(path.join(tmpdir(), 'schemathesis-'));
    try {
      const result = await run(schemathesis, schemathesisArgs(root, stack.main.baseUrl), {
        cwd: scratch,
        env: { ...process.env, PYTHONPATH: path.join(root, 'tooling', 'contract'), SCHEMATHESIS_HOOKS: 'schemathesis_hooks', NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' },
        timeoutMs: RUN_TIMEOUT_MS,
      });
      const seconds = (result.ms / 1000).toFixed(1);
      if (result.code === 0) {
        const summary = result.stdout.split('\n').filter((l) => /passed in|generated/.test(l)).map((l) => l.trim()).join('; ');
        log(`✓ ${name}: schemathesis ${seconds}s (${summary})`);
      } else {
        failed += 1;
        log(result.stdout);
        log(result.stderr);
        log(`✗ ${name}: schemathesis ${result.timedOut ? `timed out after ${RUN_TIMEOUT_MS / 1000} s` : `exited ${String(result.code)}`} in ${seconds}s — reproduce each failure with its curl command above`);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await stack.stop();
    }
  }
  return failed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const names = process.argv.slice(2);
  process.on('SIGINT', () => {
    stopAllChildren();
    process.exit(130);
  });
  process.exitCode = (await fuzzCatalogs(root, names.length > 0 ? names : CATALOGS)) > 0 ? 1 : 0;
}
