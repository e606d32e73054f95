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

export const services: Readonly<Record<string, ServiceDefinition>> = {
  'python-catalog': {
    tools: ['python'],
    spec: (root, port, tools) => ({
      command: tools.get('python') ?? 'python3',
      args: ['-m', 'catalog', '--host', '127.0.0.1', '--port', String(port)],
      cwd: root,
      env: { ...process.env, PYTHONPATH: path.join(root, 'python/services/catalog/src'), PYTHONUNBUFFERED: '1' },
      healthPath: '/healthz',
      port,
    }),
  },
  'go-catalog': {
    tools: ['go'],
    // `go run` from the module: Go 1.24+ caches the linked binary, so a warm start is ~0.1 s
    // (a separate `go build` then exec measured ~0.4 s warm); after an edit both compile.
    spec: (root, port, tools) => ({
      command: tools.get('go') ?? 'go',
      args: ['run', './cmd/catalog', '--host', '127.0.0.1', '--port', String(port)],
      cwd: path.join(root, 'go/services/catalog'),
      // Offline like every Go step: modules come from the cache that bootstrap filled.
      env: { ...process.env, GOPROXY: process.env['GOPROXY'] ?? 'off' },
      healthPath: '/healthz',
      port,
    }),
  },
  /** Three fake upstreams (pricing, inventory, reviews); tuned at run time by `PUT /_sim/config`. */
  'upstream-sim': {
    tools: ['python'],
    spec: (root, port, tools) => ({
      command: tools.get('python') ?? 'python3',
      args: ['-m', 'upstream_sim', '--host', '127.0.0.1', '--port', String(port)],
      cwd: root,
      env: { ...process.env, PYTHONPATH: path.join(root, 'python/services/upstream_sim/src'), PYTHONUNBUFFERED: '1' },
      healthPath: '/healthz',
      port,
    }),
  },
  /** The Python catalog with its upstreams over HTTP (the simulator) and small budgets a probe can time. */
  'python-catalog-fanout': {
    tools: ['python'],
    needs: ['upstream-sim'],
    spec: (root, port, tools, needs) => ({
      command: tools.get('python') ?? 'python3',
      args: ['-m', 'catalog', '--host', '127.0.0.1', '--port', String(port)],
      cwd: root,
      env: {
        ...process.env,
        PYTHONPATH: path.join(root, 'python/services/catalog/src'),
        PYTHONUNBUFFERED: '1',
        CATALOG_UPSTREAM_URL: needs.get('upstream-sim') ?? '',
        CATALOG_CALL_TIMEOUT_MS: String(catalogFanoutBudgets.callTimeoutMs),
        CATALOG_DEADLINE_MS: String(catalogFanoutBudgets.deadlineMs),
        CATALOG_MAX_CONCURRENCY: String(catalogFanoutBudgets.maxConcurrency),
      },
      healthPath: '/healthz',
      port,
    }),
  },
  /** The Go catalog with the same upstreams (the simulator) and the same budgets (lab 7). */
  'go-catalog-fanout': {
    tools: ['go'],
    needs: ['upstream-sim'],
    spec: (root, port, tools, needs) => ({
      command: tools.get('go') ?? 'go',
      args: ['run', './cmd/catalog', '--host', '127.0.0.1', '--port', String(port)],
      cwd: path.join(root, 'go/services/catalog'),
      env: {
        ...process.env,
        GOPROXY: process.env['GOPROXY'] ?? 'off',
        CATALOG_UPSTREAM_URL: needs.get('upstream-sim') ?? '',
        CATALOG_CALL_TIMEOUT_MS: String(catalogFanoutBudgets.callTimeoutMs),
        CATALOG_DEADLINE_MS: String(catalogFanoutBudgets.deadlineMs),
        CATALOG_MAX_CONCURRENCY: String(catalogFanoutBudgets.maxConcurrency),
      },
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
