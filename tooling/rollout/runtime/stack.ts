/**
 * The local rollout stack: recommender v1 (stable) and v2 (candidate) each with its Prometheus
 * `/metrics` port, the Go gateway in front of both (weighted, admin API behind a token), and a
 * Prometheus scraping them (job `recommender` with `version` labels, job `gateway`). Everything
 * started is stopped by `stop()`, in reverse order, also when a later start fails.
 */
import { freePort, lastLinesOf, startService, type RunningService, type ServiceSpec } from '../../lab-engine/process.ts';
import { services } from '../../services/registry.ts';
import { serviceTools } from '../../services/start.ts';
import { rolloutRuleFiles, RolloutError, startPrometheus, type RunningPrometheus } from './prometheus.ts';

export const VERSIONS = ['v1', 'v2'] as const;
export type Version = (typeof VERSIONS)[number];
export type Weights = Readonly<Record<Version, number>>;

/** Faults injected into a recommender's RecommendationService RPCs. */
export interface Faults {
  /** Share of RPCs answered INTERNAL (0..1). */
  readonly errorRate?: number;
  /** Extra sleep per RPC (ms). */
  readonly latencyMs?: number;
}

export interface StackOptions {
  readonly root: string;
  /** Faults of the candidate (v2); v1 runs clean. */
  readonly candidateFaults?: Faults;
  readonly initialWeights?: Weights;
  /** Called with each step of the start-up, for the text report. */
  readonly log?: (line: string) => void;
  /** Per service start deadline (the gateway's `go run` may compile: default 90 s). */
  readonly deadlineMs?: number;
  /** Hears of each thing started, as it starts, so an interrupt during start-up can stop it. */
  readonly onResource?: (stop: () => Promise<unknown>) => void;
}

export interface RolloutStack {
  readonly gatewayUrl: string;
  readonly prometheus: RunningPrometheus;
  /** PUT /admin/weights; throws on anything but 200. */
  setWeights(weights: Weights): Promise<Weights>;
  getWeights(): Promise<Weights>;
  stop(): Promise<void>;
}

export const ADMIN_TOKEN = 'rollout-local-admin-token';

const hostPort = (baseUrl: string): string => new URL(baseUrl).host;

export function toolsFor(root: string, names: readonly string[]): Map<string, string> {
  return serviceTools(root, names).tools;
}

/** `v1=100,v2=0`: the gateway's GATEWAY_WEIGHTS syntax. */
export function weightsEnv(weights: Weights): string {
  return VERSIONS.map((v) => `${v}=${weights[v]}`).join(',');
}

/** The env of one recommender version (its version label, metrics port and faults). */
export function recommenderEnv(version: Version, metricsPort: number, faults: Faults = {}): NodeJS.ProcessEnv {
  return {
    RECOMMENDER_VERSION: version,
    RECOMMENDER_METRICS_PORT: String(metricsPort),
    ...(faults.errorRate === undefined ? {} : { RECOMMENDER_FAULT_ERROR_RATE: String(faults.errorRate) }),
    ...(faults.latencyMs === undefined ? {} : { RECOMMENDER_FAULT_LATENCY_MS: String(faults.latencyMs) }),
  };
}

export async function startRolloutStack(options: StackOptions): Promise<RolloutStack> {
  const { root } = options;
  const log = options.log ?? ((): void => undefined);
  const deadlineMs = options.deadlineMs ?? 90_000;
  const tools = toolsFor(root, ['recommender', 'gateway']);
  const started: { stop(): Promise<void> }[] = [];
  const stop = async (): Promise<void> => {
    for (const s of started.splice(0).reverse()) await s.stop();
  };
  const start = async (name: string, spec: ServiceSpec): Promise<RunningService> => {
    const t0 = performance.now();
    const outcome = await startService({ ...spec, deadlineMs });
    if (outcome.status !== 'started') {
      const said = outcome.status === 'exited' ? `exited with status ${String(outcome.code)}` : `was not healthy within ${deadlineMs / 1000} s (${outcome.lastError})`;
      throw new RolloutError(`${name} ${said}: ${lastLinesOf(outcome.output, 5).replaceAll('\n', ' | ')}`);
    }
    started.push(outcome.service);
    options.onResource?.(() => outcome.service.stop());
    log(`${name} up at ${outcome.service.baseUrl} (${Math.round(performance.now() - t0)} ms)`);
    return outcome.service;
  };
  try {
    const recommenderDef = services['recommender'];
    const gatewayDef = services['gateway'];
    if (!recommenderDef || !gatewayDef) throw new RolloutError('registry: the recommender and gateway entries are missing');
    const metricsPorts = { v1: await freePort(), v2: await freePort() };
    const grpcPorts = { v1: await freePort(), v2: await freePort() };
    const gatewayPort = await freePort();
    // Prometheus first: its first scrape comes ~5 s after it is ready, while the services start.
    const t0 = performance.now();
    const prometheus = await startPrometheus({
      jobs: [
        { job: 'recommender', targets: VERSIONS.map((v) => ({ address: `127.0.0.1:${metricsPorts[v]}`, labels: { version: v } })) },
        { job: 'gateway', targets: [{ address: `127.0.0.1:${gatewayPort}` }] },
      ],
      ruleFiles: rolloutRuleFiles(root),
    });
    started.push(prometheus);
    options.onResource?.(() => prometheus.stop());
    log(`prometheus up at ${prometheus.baseUrl} (${Math.round(performance.now() - t0)} ms)`);
    const upstreams = new Map<Version, string>();
    for (const version of VERSIONS) {
      const base = recommenderDef.spec(root, grpcPorts[version], tools, new Map());
      const faults = version === 'v2' ? options.candidateFaults : undefined;
      const service = await start(`recommender ${version}`, { ...base, env: { ...base.env, ...recommenderEnv(version, metricsPorts[version], faults) } });
      upstreams.set(version, hostPort(service.baseUrl));
    }
    const gatewayBase = gatewayDef.spec(root, gatewayPort, tools, new Map([['recommender', `http://${upstreams.get('v1') ?? ''}`]]));
    const gatewayEnv: NodeJS.ProcessEnv = {
      ...gatewayBase.env,
      GATEWAY_RECOMMENDERS: VERSIONS.map((v) => `${v}=${upstreams.get(v) ?? ''}`).join(','),
      GATEWAY_WEIGHTS: weightsEnv(options.initialWeights ?? { v1: 100, v2: 0 }),
      GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN,
    };
    delete gatewayEnv['GATEWAY_RECOMMENDER_ADDR'];
    const gateway = await start('gateway', { ...gatewayBase, env: gatewayEnv, healthPath: '/healthz' });
    const t1 = performance.now();
    await prometheus.waitForTargets(VERSIONS.length + 1);
    log(`prometheus scrapes all ${VERSIONS.length + 1} targets (waited ${Math.round(performance.now() - t1)} ms)`);
    const admin = async (method: 'GET' | 'PUT', weights?: Weights): Promise<Weights> => {
      const response = await fetch(`${gateway.baseUrl}/admin/weights`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(weights ? { body: JSON.stringify({ weights }) } : {}),
        signal: AbortSignal.timeout(3_000),
      });
      const text = await response.text();
      if (response.status !== 200) throw new RolloutError(`gateway ${method} /admin/weights answered ${response.status}: ${text.slice(0, 200)}`);
      const body = JSON.parse(text) as { weights?: Record<string, unknown> };
      return { v1: Number(body.weights?.['v1'] ?? Number.NaN), v2: Number(body.weights?.['v2'] ?? Number.NaN) };
    };
    return {
      gatewayUrl: gateway.baseUrl,
      prometheus,
      setWeights: (weights) => admin('PUT', weights),
      getWeights: () => admin('GET'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

