/**
 * How to start each reference service on a given port: used by lab probes, the contract suite
 * and benchmarks, so there is one place that knows a service's command line and health path.
 */
import path from 'node:path';
import type { ServiceSpec } from '../lab-engine/process.ts';

/** The fan-out budgets `python-catalog-fanout` and `go-catalog-fanout` run with; the fan-out probe times answers against them. */
export const catalogFanoutBudgets = { callTimeoutMs: 300, deadlineMs: 600, maxConcurrency: 3 } as const;

export interface ServiceDefinition {
  /** Tools the command needs, resolved (and reported when missing) before anything starts. */
  readonly tools: readonly string[];
  /** Services started first (e.g. an upstream simulator); their base URLs reach `spec` by name. */
  readonly needs?: readonly string[];
  spec(root: string, port: number, tools: ReadonlyMap<string, string>, needs: ReadonlyMap<string, string>): ServiceSpec;
}

/** A Python service run as `python -m <module>` with its package's `src` on PYTHONPATH. */
function pythonService(module: string, service: string, extraEnv: (needs: ReadonlyMap<string, string>) => NodeJS.ProcessEnv = () => ({})): ServiceDefinition['spec'] {
  return (root, port, tools, needs) => ({
    command: tools.get('python') ?? 'python3',
    args: ['-m', module, '--host', '127.0.0.1', '--port', String(port)],
    cwd: root,
    env: { ...process.env, PYTHONPATH: path.join(root, 'python/services', service, 'src'), PYTHONUNBUFFERED: '1', ...extraEnv(needs) },
    healthPath: '/healthz',
    port,
  });
}

/**
 * The Go catalog run with `go run` from its module: Go 1.24+ caches the linked binary, so a warm
 * start is ~0.1 s (a separate `go build` then exec measured ~0.4 s warm); after an edit both
 * compile. Offline like every Go step: modules come from the cache that bootstrap filled.
 */
function goCatalog(extraEnv: (needs: ReadonlyMap<string, string>) => NodeJS.ProcessEnv = () => ({})): ServiceDefinition['spec'] {
  return (root, port, tools, needs) => ({
    command: tools.get('go') ?? 'go',
    args: ['run', './cmd/catalog', '--host', '127.0.0.1', '--port', String(port)],
    cwd: path.join(root, 'go/services/catalog'),
    env: { ...process.env, GOPROXY: process.env['GOPROXY'] ?? 'off', ...extraEnv(needs) },
    healthPath: '/healthz',
    port,
  });
}

/** The catalog's upstreams pointed at the simulator, with budgets a probe can time (labs 2 and 7). */
function fanoutEnv(needs: ReadonlyMap<string, string>): NodeJS.ProcessEnv {
  return {
    CATALOG_UPSTREAM_URL: needs.get('upstream-sim') ?? '',
    CATALOG_CALL_TIMEOUT_MS: String(catalogFanoutBudgets.callTimeoutMs),
    CATALOG_DEADLINE_MS: String(catalogFanoutBudgets.deadlineMs),
    CATALOG_MAX_CONCURRENCY: String(catalogFanoutBudgets.maxConcurrency),
  };
}

/**
 * The budgets `pnpm bench` runs the catalogs with: the per-call timeout is ABOVE the deadline so
 * an upstream slower than both is cut by the deadline (that is what the overshoot measures), and
 * at most 4x the deadline (the Go catalog does not start a call with less than a quarter of the
 * per-call timeout left: with 1000/250 it would degrade every part at once).
 */
export const catalogBenchBudgets = { callTimeoutMs: 400, deadlineMs: 250, maxConcurrency: 64 } as const;

/** A rate limit no bench reaches (the Go catalog's default, 1000/s, would cap requests/s). */
const benchRateLimitEnv: NodeJS.ProcessEnv = { CATALOG_RATE_LIMIT_RPS: '1000000', CATALOG_RATE_LIMIT_BURST: '1000000' };

/** The bench budgets, and a breaker that never opens (an open breaker would answer before the deadline). */
function benchEnv(needs: ReadonlyMap<string, string>): NodeJS.ProcessEnv {
  return {
    CATALOG_UPSTREAM_URL: needs.get('upstream-sim') ?? '',
    CATALOG_CALL_TIMEOUT_MS: String(catalogBenchBudgets.callTimeoutMs),
    CATALOG_DEADLINE_MS: String(catalogBenchBudgets.deadlineMs),
    CATALOG_MAX_CONCURRENCY: String(catalogBenchBudgets.maxConcurrency),
    CATALOG_BREAKER_FAILURES: '1000000',
    ...benchRateLimitEnv,
  };
}

export const services: Readonly<Record<string, ServiceDefinition>> = {
  'python-catalog': { tools: ['python'], spec: pythonService('catalog', 'catalog') },
  'go-catalog': { tools: ['go'], spec: goCatalog() },
  /** Three fake upstreams (pricing, inventory, reviews); tuned at run time by `PUT /_sim/config`. */
  'upstream-sim': { tools: ['python'], spec: pythonService('upstream_sim', 'upstream_sim') },
  /** The Python catalog with its upstreams over HTTP (the simulator) and small budgets. */
  'python-catalog-fanout': { tools: ['python'], needs: ['upstream-sim'], spec: pythonService('catalog', 'catalog', fanoutEnv) },
  /** The Go catalog with the same upstreams and the same budgets (lab 7). */
  'go-catalog-fanout': { tools: ['go'], needs: ['upstream-sim'], spec: goCatalog(fanoutEnv) },
  /**
   * The gRPC recommender (issue 6), waited for with the standard gRPC health check. Its base URL
   * is `http://127.0.0.1:PORT` (dial `127.0.0.1:PORT`, plaintext); dev JWT settings unless the
   * caller sets RECOMMENDER_JWT_* (`python -m recommender.token` mints a token for them).
   */
  recommender: {
    tools: ['python'],
    spec: (root, port, tools) => ({
      command: tools.get('python') ?? 'python3',
      args: ['-m', 'recommender', '--host', '127.0.0.1', '--port', String(port)],
      cwd: root,
      env: { ...process.env, PYTHONPATH: [path.join(root, 'python/services/recommender/src'), path.join(root, 'python/gen')].join(path.delimiter), PYTHONUNBUFFERED: '1' },
      healthPath: '',
      health: { kind: 'grpc' },
      port,
    }),
  },
  /** The Go HTTP gateway in front of the recommender (issue 6); `go run` like the Go catalog. */
  gateway: {
    tools: ['go'],
    needs: ['recommender'],
    spec: (root, port, tools, needs) => ({
      command: tools.get('go') ?? 'go',
      args: ['run', './cmd/gateway', '--host', '127.0.0.1', '--port', String(port)],
      cwd: path.join(root, 'go/services/gateway'),
      env: { ...process.env, GOPROXY: process.env['GOPROXY'] ?? 'off', GATEWAY_RECOMMENDER_ADDR: needs.get('recommender') ?? '' },
      healthPath: '/healthz',
      port,
    }),
  },
  /** `pnpm bench`: the Python catalog on the simulator with the bench budgets (no breaker trips). */
  'python-catalog-bench': { tools: ['python'], needs: ['upstream-sim'], spec: pythonService('catalog', 'catalog', benchEnv) },
  /** `pnpm bench`: the Go catalog on the simulator with the bench budgets, rate limit out of the way. */
  'go-catalog-bench': { tools: ['go'], needs: ['upstream-sim'], spec: goCatalog(benchEnv) },
  /** `pnpm bench` requests/s: the Go catalog alone (in-process upstreams), rate limit out of the way. */
  'go-catalog-rps': { tools: ['go'], spec: goCatalog(() => benchRateLimitEnv) },
  /** `pnpm bench` baseline: FastAPI on uvicorn answering a canned body (tooling/bench/baselines). */
  'bench-canned-fastapi': {
    tools: ['python'],
    spec: (root, port, tools) => ({
      command: tools.get('python') ?? 'python3',
      args: [path.join(root, 'tooling/bench/baselines/canned_fastapi.py'), '--host', '127.0.0.1', '--port', String(port)],
      cwd: root,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
      healthPath: '/healthz',
      port,
    }),
  },
  /** `pnpm bench` baseline: a bare net/http handler answering the same canned body. */
  'bench-canned-go': {
    tools: ['go'],
    spec: (root, port, tools) => ({
      command: tools.get('go') ?? 'go',
      args: ['run', '.', '--host', '127.0.0.1', '--port', String(port)],
      cwd: path.join(root, 'tooling/bench/baselines/go-canned'),
      env: { ...process.env, GOPROXY: process.env['GOPROXY'] ?? 'off' },
      healthPath: '/healthz',
      port,
    }),
  },
};

/** Every tool a service and the services it needs use, in start order. */
export function toolsOfService(name: string, seen: Set<string> = new Set()): string[] {
  const definition = services[name];
  if (!definition || seen.has(name)) return [];
  seen.add(name);
  return [...(definition.needs ?? []).flatMap((need) => toolsOfService(need, seen)), ...definition.tools];
}
