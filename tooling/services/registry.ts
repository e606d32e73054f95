/**
 * How to start each reference service on a given port: used by lab probes, the contract suite
 * and benchmarks, so there is one place that knows a service's command line and health path.
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
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

/** The catalog's outbox pointed at the `nats` service. */
function brokerEnv(needs: ReadonlyMap<string, string>): NodeJS.ProcessEnv {
  const broker = needs.get('nats');
  return broker ? { CATALOG_BROKER_URL: natsUrl(broker) } : {};
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

/**
 * Where a traced service (`recommender-traced`, `gateway-traced`) started on `port` writes its
 * finished spans, one JSON object per line: a reader derives it from the service's base URL.
 */
export function traceFilePath(service: string, port: number): string {
  return path.join(os.tmpdir(), 'language-tracks-traces', `${service}-${port}.jsonl`);
}

/** The per-item lookup `recommender-traced` runs with (ms): 5 items need 100 ms, which a small budget cannot cover. */
export const tracedScoreDelayMs = 20;

/** `traceFilePath`, emptied (a port is reused across runs). */
function freshTraceFile(service: string, port: number): string {
  const file = traceFilePath(service, port);
  mkdirSync(path.dirname(file), { recursive: true });
  rmSync(file, { force: true });
  return file;
}

/**
 * A NATS server with JetStream for the catalogs' outbox, on `port`, its file store in a fresh
 * directory per port (a killed and restarted broker keeps its streams, like a real one).
 */
function natsServer(): ServiceDefinition {
  return {
    tools: ['nats-server'],
    spec: (root, port, tools) => {
      const store = path.join(os.tmpdir(), 'language-tracks-nats', String(port));
      rmSync(store, { recursive: true, force: true });
      mkdirSync(store, { recursive: true });
      return {
        command: tools.get('nats-server') ?? 'nats-server',
        args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store],
        cwd: root,
        healthPath: '',
        health: { kind: 'nats' },
        port,
      };
    },
  };
}

/** The client URL of a started `nats` service (its registry base URL is `http://127.0.0.1:PORT`). */
export function natsUrl(baseUrl: string): string {
  return `nats://${new URL(baseUrl).host}`;
}

/** `pnpm bench polyglot`: per-item delays of the recommender (0 = pure overhead; slow = cannot finish in time). */
export const polyglotBenchDelays = { throughputMs: 0, slowMs: 1000 } as const;

/** `python -m recommender` with its src and the generated stubs on PYTHONPATH, waited for with the gRPC health check; `extraEnv` on top. */
function recommenderService(extraEnv: NodeJS.ProcessEnv = {}): ServiceDefinition {
  return {
    tools: ['python'],
    spec: (root, port, tools) => ({
      command: tools.get('python') ?? 'python3',
      args: ['-m', 'recommender', '--host', '127.0.0.1', '--port', String(port)],
      cwd: root,
      env: { ...process.env, PYTHONPATH: [path.join(root, 'python/services/recommender/src'), path.join(root, 'python/gen')].join(path.delimiter), PYTHONUNBUFFERED: '1', ...extraEnv },
      healthPath: '',
      health: { kind: 'grpc' },
      port,
    }),
  };
}

/** The recommender with `scoreDelayMs` of simulated work per item (`pnpm bench polyglot`). */
function benchRecommender(scoreDelayMs: number): ServiceDefinition {
  return recommenderService({ RECOMMENDER_SCORE_DELAY_MS: String(scoreDelayMs) });
}

/** The bare grpc-go baseline (tooling/bench/baselines/grpc-canned), optionally slow. */
function cannedGrpc(delayMs: number): ServiceDefinition {
  return {
    tools: ['go'],
    spec: (root, port, tools) => ({
      command: tools.get('go') ?? 'go',
      args: ['run', '.', '--host', '127.0.0.1', '--port', String(port), '--delay-ms', String(delayMs)],
      cwd: path.join(root, 'tooling/bench/baselines/grpc-canned'),
      env: { ...process.env, GOPROXY: process.env['GOPROXY'] ?? 'off' },
      healthPath: '',
      health: { kind: 'grpc' },
      port,
    }),
  };
}

/**
 * The Go gateway in front of the gRPC service registered as `upstream`; the bench waits on
 * `/readyz` (the upstream really serving), the plain entry on `/healthz`.
 */
function gatewayOn(upstream: string, healthPath = '/readyz'): ServiceDefinition {
  return {
    tools: ['go'],
    needs: [upstream],
    spec: (root, port, tools, needs) => ({
      command: tools.get('go') ?? 'go',
      args: ['run', './cmd/gateway', '--host', '127.0.0.1', '--port', String(port)],
      cwd: path.join(root, 'go/services/gateway'),
      env: { ...process.env, GOPROXY: process.env['GOPROXY'] ?? 'off', GATEWAY_RECOMMENDER_ADDR: needs.get(upstream) ?? '' },
      healthPath,
      port,
    }),
  };
}

export const services: Readonly<Record<string, ServiceDefinition>> = {
  'python-catalog': { tools: ['python'], spec: pythonService('catalog', 'catalog') },
  'go-catalog': { tools: ['go'], spec: goCatalog() },
  /** NATS JetStream, the broker behind both catalogs' outboxes (issue 14). */
  nats: natsServer(),
  /**
   * The catalogs as the outbox labs (3, 8) run them: publishing to a real NATS JetStream started
   * first on its own free port (the relay in the service's process; SQLite in memory).
   */
  'python-catalog-broker': { tools: ['python'], needs: ['nats'], spec: pythonService('catalog', 'catalog', brokerEnv) },
  'go-catalog-broker': { tools: ['go'], needs: ['nats'], spec: goCatalog(brokerEnv) },
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
  recommender: recommenderService(),
  /** The Go HTTP gateway in front of the recommender (issue 6); `go run` like the Go catalog. */
  gateway: gatewayOn('recommender', '/healthz'),
  /**
   * The recommender writing its spans to `traceFilePath('recommender-traced', port)` (the E2E
   * suite, lab 15), with a per-item lookup of `tracedScoreDelayMs` so a deadline can be too short.
   */
  'recommender-traced': {
    tools: ['python'],
    spec: (root, port, tools, needs) => {
      const base = services['recommender']?.spec(root, port, tools, needs);
      if (!base) throw new Error('registry: recommender-traced needs the recommender entry');
      return { ...base, env: { ...base.env, RECOMMENDER_TRACE_FILE: freshTraceFile('recommender-traced', port), RECOMMENDER_SCORE_DELAY_MS: String(tracedScoreDelayMs) } };
    },
  },
  /** The gateway in front of `recommender-traced`, writing its spans to `traceFilePath('gateway-traced', port)`. */
  'gateway-traced': {
    tools: ['go'],
    needs: ['recommender-traced'],
    spec: (root, port, tools, needs) => {
      const base = services['gateway']?.spec(root, port, tools, new Map([['recommender', needs.get('recommender-traced') ?? '']]));
      if (!base) throw new Error('registry: gateway-traced needs the gateway entry');
      return { ...base, env: { ...base.env, GATEWAY_TRACE_FILE: freshTraceFile('gateway-traced', port) } };
    },
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
  /** `pnpm bench polyglot`: the recommender with no simulated per-item delay (pure overhead). */
  'recommender-bench': benchRecommender(polyglotBenchDelays.throughputMs),
  /** `pnpm bench polyglot` overshoot: a recommender whose work cannot finish in a 100 ms budget. */
  'recommender-slow': benchRecommender(polyglotBenchDelays.slowMs),
  /** `pnpm bench polyglot`: the gateway in front of `recommender-bench`. */
  'gateway-bench': gatewayOn('recommender-bench'),
  /** `pnpm bench polyglot` overshoot: the gateway in front of `recommender-slow`. */
  'gateway-slow': gatewayOn('recommender-slow'),
  /** `pnpm bench polyglot` baseline: a bare grpc-go RecommendationService with a canned reply. */
  'bench-canned-grpc': cannedGrpc(0),
  /** The same, waiting `polyglotBenchDelays.slowMs` (or the deadline) before it answers. */
  'bench-canned-grpc-slow': cannedGrpc(polyglotBenchDelays.slowMs),
  /** `pnpm bench polyglot` baseline: the same gateway in front of `bench-canned-grpc`. */
  'gateway-on-canned': gatewayOn('bench-canned-grpc'),
  /** `pnpm bench polyglot` overshoot: the gateway in front of `bench-canned-grpc-slow`. */
  'gateway-on-canned-slow': gatewayOn('bench-canned-grpc-slow'),
  /** `pnpm bench polyglot` same-framework reference: a bare grpc.aio server with the canned reply. */
  'bench-canned-grpc-aio': {
    tools: ['python'],
    spec: (root, port, tools) => ({
      command: tools.get('python') ?? 'python3',
      args: [path.join(root, 'tooling/bench/baselines/grpc_canned_aio.py'), '--host', '127.0.0.1', '--port', String(port)],
      cwd: root,
      env: { ...process.env, PYTHONPATH: path.join(root, 'python/gen'), PYTHONUNBUFFERED: '1' },
      healthPath: '',
      health: { kind: 'grpc' },
      port,
    }),
  },
  /** `pnpm bench polyglot`: the gateway in front of `bench-canned-grpc-aio`. */
  'gateway-on-canned-aio': gatewayOn('bench-canned-grpc-aio'),
};

/** Every tool a service and the services it needs use, in start order. */
export function toolsOfService(name: string, seen: Set<string> = new Set()): string[] {
  const definition = services[name];
  if (!definition || seen.has(name)) return [];
  seen.add(name);
  return [...(definition.needs ?? []).flatMap((need) => toolsOfService(need, seen)), ...definition.tools];
}
