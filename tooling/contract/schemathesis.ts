/**
 * The schemathesis gate: each catalog and the gateway started as a probe starts it
 * (tooling/services/start.ts, free port, health wait, teardown), then `schemathesis run` against
 * its committed OpenAPI document (tooling/contract/catalog.openapi.json,
 * tooling/contract/gateway.openapi.json) with every check, a bounded, seeded number of examples,
 * one worker. A failure prints schemathesis' own report: each failure ends with "Reproduce with:"
 * and a curl command.
 *
 *   pnpm exec node tooling/contract/schemathesis.ts [python-catalog|go-catalog|gateway ...]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, stopAllChildren } from '../lab-engine/process.ts';
import { serviceTools, startStack } from '../services/start.ts';
import { findTool } from '../toolchain/tools.ts';
import { mintDevJwt } from '../probes/dev-jwt.ts';

export const CATALOGS = ['python-catalog', 'go-catalog'] as const;
export const GATEWAY = 'gateway';
/** What the gate fuzzes, in order. */
export const TARGETS = [...CATALOGS, GATEWAY] as const;
export const OPENAPI_DOCUMENT = 'tooling/contract/catalog.openapi.json';
export const GATEWAY_OPENAPI_DOCUMENT = 'tooling/contract/gateway.openapi.json';
/** The gateway's run: a 504 the client asked for is no server error (the file says why). */
export const GATEWAY_CONFIG = 'tooling/contract/schemathesis.gateway.toml';
/** The user the gateway's run acts as: paths for any other user are a documented 403 user_mismatch. */
export const GATEWAY_USER = 'u-1';

/** Examples per operation and phase, and the seed: the same run every time. */
export const MAX_EXAMPLES = 50;
export const SEED = 1;
/** One service's run may not take longer (measured: ~10 s each on a quiet machine). */
export const RUN_TIMEOUT_MS = 180_000;

/** The `schemathesis run` arguments for one base URL: a catalog's, or with `bearer` the gateway's. */
export function schemathesisArgs(root: string, baseUrl: string, gateway?: { readonly bearer: string }): string[] {
  const common = ['--url', baseUrl, '--checks', 'all', '--max-examples', String(MAX_EXAMPLES), '--seed', String(SEED), '--workers', '1', '--no-color'];
  if (!gateway) return ['run', path.join(root, OPENAPI_DOCUMENT), ...common];
  return ['--config-file', path.join(root, GATEWAY_CONFIG), 'run', path.join(root, GATEWAY_OPENAPI_DOCUMENT), ...common, '--header', `Authorization: Bearer ${gateway.bearer}`];
}

/** Each target's hooks module (in tooling/contract) and, for the gateway, its token and environment. */
function targetSetup(name: string): { args: (root: string, baseUrl: string) => string[]; hooks: string; env: NodeJS.ProcessEnv } {
  if (name !== GATEWAY) return { args: (root, baseUrl) => schemathesisArgs(root, baseUrl), hooks: 'schemathesis_hooks', env: {} };
  // A dev token for u-1 that outlives the run; the admin routes exist (GATEWAY_ADMIN_TOKEN set, to a
  // value the fuzzer never sees), so they are fuzzed as production has them: 401 without the admin token.
  const bearer = mintDevJwt({ sub: GATEWAY_USER }, { ttlSeconds: 1800 });
  return {
    args: (root, baseUrl) => schemathesisArgs(root, baseUrl, { bearer }),
    hooks: 'schemathesis_gateway_hooks',
    env: { GATEWAY_ADMIN_TOKEN: `schemathesis-${String(process.pid)}-${String(Date.now())}` },
  };
}

/** Runs schemathesis against each service; returns how many failed. */
export async function fuzzServices(root: string, names: readonly string[], log: (line: string) => void = console.log): Promise<number> {
  const schemathesis = findTool(root, 'schemathesis');
  if (!schemathesis) {
    log('schemathesis not found in .venv: run npm run bootstrap');
    return names.length;
  }
  let failed = 0;
  for (const name of names) {
    const { tools } = serviceTools(root, [name]);
    const setup = targetSetup(name);
    // The registry's specs read process.env when they start: the target's settings go in for the start only.
    const saved = new Map(Object.keys(setup.env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, setup.env);
    const stack = await startStack(root, name, tools, 60_000).finally(() => {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    if (stack.status !== 'started') {
      log(`✗ ${name}: did not start: ${stack.message}`);
      failed += 1;
      continue;
    }
    // A scratch folder: schemathesis keeps its example database under the working directory.
    const scratch = mkdtempSync(path.join(tmpdir(), 'schemathesis-'));
    try {
      const result = await run(schemathesis, setup.args(root, stack.main.baseUrl), {
        cwd: scratch,
        env: { ...process.env, PYTHONPATH: path.join(root, 'tooling', 'contract'), SCHEMATHESIS_HOOKS: setup.hooks, NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' },
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
  const started = Date.now();
  const failed = await fuzzServices(root, names.length > 0 ? names : TARGETS);
  console.log(`schemathesis gate: ${failed === 0 ? 'all passed' : `${String(failed)} failed`} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  process.exitCode = failed > 0 ? 1 : 0;
}
