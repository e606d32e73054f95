/**
 * `pnpm bench polyglot` (issue 6): `GET /users/{id}/recommendations?language=es&limit=5` through
 * the Go gateway to the Python gRPC recommender, against the same gateway in front of a bare
 * grpc-go server answering a canned RecommendResponse (tooling/bench/baselines/grpc-canned), in
 * the same run.
 *
 * 1. light-load latency: p50/p99 at `latencyConcurrency` through each stack.
 * 2. requests/s: the recommender with no simulated per-item delay (`RECOMMENDER_SCORE_DELAY_MS=0`,
 *    so the figure is the stack's overhead, not a sleep) against the canned server; goal >= 60%.
 *    Also the same gateway in front of a bare grpc.aio server with the same reply (no goal): it
 *    splits the gap into the framework's ceiling and the recommender's own cost.
 *    `wrk` when installed (see `--loadgen`), else the Node load generator; wrk's p99 under load too.
 * 3. deadline overshoot at the edge: `X-Request-Timeout-Ms: 100`, answers must be 504; overshoot
 *    = answer time - 100 ms, p99 <= 5 ms. Twice: the real recommender with a per-item delay no
 *    budget covers (it sheds the call up front: DEADLINE_TOO_SHORT), and the canned server
 *    waiting past the deadline (the gateway's own gRPC deadline, budget - margin, cuts the call).
 * Every request carries a dev HS256 JWT (tooling/probes/dev-jwt.ts: the recommender's documented dev settings).
 * Services (gateway and gRPC server) on core 0, the load generator on core 1 (taskset).
 */
import { readFileSync } from 'node:fs';
import { run } from '../lab-engine/process.ts';
import { polyglotBenchDelays } from '../services/registry.ts';
import { mintDevJwt } from '../probes/dev-jwt.ts';
import { findTool } from '../toolchain/tools.ts';
import { BenchError, checked, pidOfListener, withStack, type Affinity, type CatalogFigures } from './catalog.ts';
import { loadSummary, runLoad, runWrk, type LoadResult } from './load.ts';
import { percentile, type BenchOptions, type Metric } from './report.ts';

export const polyglotPath = '/users/u-1/recommendations?language=es&limit=5';
/** The client's timeout in the overshoot runs (`X-Request-Timeout-Ms`). */
export const overshootTimeoutMs = 100;
export const polyglotGoals = { rpsPercent: 60, overshootP99Ms: 5 } as const;

/** Answer times minus the client's timeout: negative = answered before it. */
export function overshoots(latenciesMs: readonly number[], timeoutMs: number): number[] {
  return latenciesMs.map((ms) => ms - timeoutMs);
}

/** The `code` of a problem+json body, or why there is none. */
export function problemCode(body: unknown): string {
  const code = (body as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '(no code)';
}

/** How many items a recommendations answer holds; -1 when it is not one. */
export function itemCount(body: unknown): number {
  const items = (body as { recommendations?: unknown } | null)?.recommendations;
  return Array.isArray(items) ? items.length : -1;
}

/** The figures `polyglotMetrics` turns into table rows (ms, req/s; NaN = not measured). */
export interface PolyglotNumbers {
  readonly realP50: number;
  readonly realP99: number;
  readonly cannedP50: number;
  readonly cannedP99: number;
  readonly realRps: number;
  readonly cannedRps: number;
  /** wrk's p99 under the req/s load (NaN with the Node generator). */
  readonly realLoadedP99: number;
  readonly cannedLoadedP99: number;
  readonly shedOvershootP50: number;
  readonly shedOvershootP99: number;
  readonly cutOvershootP50: number;
  readonly cutOvershootP99: number;
  readonly realCpu: number;
  readonly cannedCpu: number;
  /** The same gateway in front of a bare grpc.aio server (the recommender's framework), req/s. */
  readonly aioRps: number;
  readonly aioCpu: number;
  /** `cpuPerRequest` texts of the req/s runs, when the processes could be read. */
  readonly cpuPerRequest?: { readonly real: string; readonly canned: string; readonly aio: string };
}

const ms = (value: number, reference: number, what: string): string =>
  Number.isNaN(value) || Number.isNaN(reference) || reference <= 0 ? '' : `${(value / reference).toFixed(2)}x ${what} (${value - reference >= 0 ? '+' : '-'}${Math.abs(value - reference).toFixed(1)} ms)`;
const cpu = (percent: number, perRequest = ''): string => `${perRequest ? `${perRequest}; ` : ''}load gen CPU ${Number.isNaN(percent) ? '?' : percent.toFixed(0)}%`;
const answeredAt = (overshoot: number): string => (Number.isNaN(overshoot) ? '' : `answered at ${(overshoot + overshootTimeoutMs).toFixed(1)} ms of ${overshootTimeoutMs}`);

/** The table rows of `pnpm bench polyglot`, goals attached. */
export function polyglotMetrics(n: PolyglotNumbers): Metric[] {
  const rpsPercent = (n.realRps / n.cannedRps) * 100;
  return [
    { name: 'gateway -> canned gRPC, p50 (light load)', value: n.cannedP50, unit: 'ms' },
    { name: 'gateway -> canned gRPC, p99 (light load)', value: n.cannedP99, unit: 'ms' },
    { name: 'gateway -> recommender, p50 (light load)', value: n.realP50, unit: 'ms', ratio: ms(n.realP50, n.cannedP50, 'canned p50') },
    { name: 'gateway -> recommender, p99 (light load)', value: n.realP99, unit: 'ms', ratio: ms(n.realP99, n.cannedP99, 'canned p99') },
    ...(Number.isNaN(n.realLoadedP99) && Number.isNaN(n.cannedLoadedP99)
      ? []
      : [
          { name: 'gateway -> canned gRPC, p99 under req/s load', value: n.cannedLoadedP99, unit: 'ms' as const },
          { name: 'gateway -> recommender, p99 under req/s load', value: n.realLoadedP99, unit: 'ms' as const, ratio: ms(n.realLoadedP99, n.cannedLoadedP99, 'canned') },
        ]),
    { name: 'gateway -> canned gRPC (baseline)', value: n.cannedRps, unit: 'req/s', ratio: cpu(n.cannedCpu, n.cpuPerRequest?.canned) },
    { name: 'gateway -> recommender (delay 0)', value: n.realRps, unit: 'req/s', ratio: cpu(n.realCpu, n.cpuPerRequest?.real) },
    { name: 'recommender / canned req/s', value: rpsPercent, unit: '%', goal: { kind: 'at-least', limit: polyglotGoals.rpsPercent }, ratio: Number.isNaN(rpsPercent) ? '' : (rpsPercent / 100).toFixed(2) },
    { name: 'gateway -> canned grpc.aio (same framework)', value: n.aioRps, unit: 'req/s', ratio: cpu(n.aioCpu, n.cpuPerRequest?.aio) },
    { name: 'canned grpc.aio / canned grpc-go req/s', value: (n.aioRps / n.cannedRps) * 100, unit: '%', ratio: 'the framework ceiling' },
    { name: 'recommender / canned grpc.aio req/s', value: (n.realRps / n.aioRps) * 100, unit: '%', ratio: "the recommender's own cost" },
    { name: `overshoot p50, recommender sheds (timeout ${overshootTimeoutMs} ms)`, value: n.shedOvershootP50, unit: 'ms', ratio: answeredAt(n.shedOvershootP50) },
    { name: `overshoot p99, recommender sheds (timeout ${overshootTimeoutMs} ms)`, value: n.shedOvershootP99, unit: 'ms', goal: { kind: 'at-most', limit: polyglotGoals.overshootP99Ms }, ratio: answeredAt(n.shedOvershootP99) },
    { name: `overshoot p50, deadline cuts the call (timeout ${overshootTimeoutMs} ms)`, value: n.cutOvershootP50, unit: 'ms', ratio: answeredAt(n.cutOvershootP50) },
    { name: `overshoot p99, deadline cuts the call (timeout ${overshootTimeoutMs} ms)`, value: n.cutOvershootP99, unit: 'ms', goal: { kind: 'at-most', limit: polyglotGoals.overshootP99Ms }, ratio: answeredAt(n.cutOvershootP99) },
  ];
}

/** CPU time (user + system) a process has used so far, from /proc/PID/stat; undefined when unreadable. */
export function cpuMsOfStat(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name the state is field 3, so utime (14) and stime (15) are [11] and [12].
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
}

function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return cpuMsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** "gateway 95 µs + server 310 µs CPU/request" from CPU ms used over `requests`; '' when unknown. */
export function cpuPerRequest(gatewayMs: number | undefined, serverMs: number | undefined, requests: number): string {
  if (gatewayMs === undefined || serverMs === undefined || requests <= 0) return '';
  const us = (cpuMs: number): string => `${Math.round((cpuMs * 1000) / requests)} µs`;
  return `CPU/req: gateway ${us(gatewayMs)} + server ${us(serverMs)}`;
}

function tally(counts: ReadonlyMap<string, number>): string {
  return [...counts].map(([k, c]) => `${k} x${c}`).join(', ') || 'none';
}

interface StackFigures {
  readonly latency: LoadResult;
  readonly rps: LoadResult & { readonly p99Ms?: number };
  /** CPU/request of the gateway and the gRPC server during the req/s run ('' when unknown). */
  readonly cpuPerRequest: string;
}

export async function benchPolyglot(root: string, options: BenchOptions, pinning: Affinity, log: (line: string) => void): Promise<CatalogFigures> {
  const notes: string[] = [];
  const headers = { authorization: `Bearer ${mintDevJwt({}, { ttlSeconds: 3600 })}` };
  const latencyRequests = Math.max(20, Math.round(options.requests / 10));
  const overRequests = Math.max(20, Math.round(options.requests / 25));
  const rpsWarmup = Math.max(50, Math.min(1000, Math.round(options.requests / 5)));
  const wrk = options.loadgen === 'node' ? undefined : findTool(root, 'wrk');
  if (options.loadgen === 'wrk' && !wrk) throw new BenchError('--loadgen wrk: wrk not found (apt-get install -y wrk)');
  const wrkSeconds = Math.max(3, Math.min(30, Math.round(options.requests / 1000)));
  const loadgen = wrk ? `wrk, 1 thread, ${options.concurrency} connections, ${wrkSeconds} s after 1 s warm-up` : `node:http, ${options.concurrency} connections, ${options.requests} requests after ${rpsWarmup} warm-up`;

  const ss = findTool(root, 'ss');
  const measure = async (service: string, label: string): Promise<StackFigures> => {
    log(`[polyglot] ${label}: ${service}; latency at concurrency ${options.latencyConcurrency}, then req/s (${loadgen})`);
    return withStack(root, service, pinning, async (urls, base) => {
      const url = `${base}${polyglotPath}`;
      const first = await fetch(url, { headers });
      const text = await first.text();
      if (first.status !== 200 || itemCount(JSON.parse(text) as unknown) !== 5) throw new BenchError(`${service}: GET ${polyglotPath} answered ${first.status}: ${text.slice(0, 200)} (want 200 with 5 items)`);
      const latency = checked(await runLoad({ url, requests: latencyRequests, concurrency: options.latencyConcurrency, warmup: 5 * options.latencyConcurrency, headers }), `${label} latency`);
      // The listening processes (`go run` execs a child): their CPU over the req/s run.
      const listed = ss ? (await run(ss, ['-Hltnp'], { cwd: root, timeoutMs: 5_000 })).stdout : '';
      const upstream = [...urls].find(([name, u]) => u !== base && name !== service)?.[1];
      const gatewayPid = pidOfListener(listed, Number(new URL(base).port));
      const serverPid = upstream === undefined ? undefined : pidOfListener(listed, Number(new URL(upstream).port));
      const before = [cpuMsOf(gatewayPid), cpuMsOf(serverPid)];
      const rps = checked(
        wrk
          ? await runWrk({ wrk, url, concurrency: options.concurrency, seconds: wrkSeconds, warmupSeconds: 1, headers })
          : await runLoad({ url, requests: options.requests, concurrency: options.concurrency, warmup: rpsWarmup, headers }),
        `${label} requests/s`,
      );
      const after = [cpuMsOf(gatewayPid), cpuMsOf(serverPid)];
      const used = (i: number): number | undefined => (before[i] === undefined || after[i] === undefined ? undefined : (after[i] ?? 0) - (before[i] ?? 0));
      return { latency, rps, cpuPerRequest: cpuPerRequest(used(0), used(1), rps.requestCount ?? rps.latenciesMs.length) };
    });
  };

  const overshoot = async (service: string, label: string, expectedCode: string): Promise<{ result: LoadResult; codes: Map<string, number> }> => {
    log(`[polyglot] overshoot (${label}): ${service}, X-Request-Timeout-Ms: ${overshootTimeoutMs}, ${overRequests} requests`);
    return withStack(root, service, pinning, async (_urls, base) => {
      const codes = new Map<string, number>();
      const result = checked(
        await runLoad({
          url: `${base}${polyglotPath}`,
          requests: overRequests,
          concurrency: options.latencyConcurrency,
          warmup: 2 * options.latencyConcurrency,
          headers: { ...headers, 'x-request-timeout-ms': String(overshootTimeoutMs) },
          expectStatus: 504,
          inspect: (_status, body) => {
            const code = problemCode(body);
            codes.set(code, (codes.get(code) ?? 0) + 1);
          },
        }),
        `overshoot (${label})`,
      );
      if ((codes.get(expectedCode) ?? 0) !== result.latenciesMs.length) notes.push(`overshoot (${label}): expected 504 ${expectedCode} every time, saw ${tally(codes)}`);
      return { result, codes };
    });
  };

  const canned = await measure('gateway-on-canned', 'gateway -> canned gRPC');
  const aio = await measure('gateway-on-canned-aio', 'gateway -> canned grpc.aio');
  const real = await measure('gateway-bench', 'gateway -> recommender');
  // The recommender refuses work no deadline covers before starting it: ErrorInfo DEADLINE_TOO_SHORT.
  const shed = await overshoot('gateway-slow', `recommender, ${polyglotBenchDelays.slowMs} ms per item`, 'deadline_too_short');
  const cut = await overshoot('gateway-on-canned-slow', `canned gRPC waiting ${polyglotBenchDelays.slowMs} ms`, 'deadline_exceeded');

  for (const [what, r] of [
    ['recommender', real.rps],
    ['canned', canned.rps],
    ['canned grpc.aio', aio.rps],
  ] as const) {
    if (r.loadGenCpuPercent >= 90) notes.push(`the load generator used ${r.loadGenCpuPercent.toFixed(0)}% of its core during the ${what} req/s run: that figure is a floor (generator-bound)`);
  }
  const shedOver = overshoots(shed.result.latenciesMs, overshootTimeoutMs);
  const cutOver = overshoots(cut.result.latenciesMs, overshootTimeoutMs);
  const numbers: PolyglotNumbers = {
    realP50: percentile(real.latency.latenciesMs, 50),
    realP99: percentile(real.latency.latenciesMs, 99),
    cannedP50: percentile(canned.latency.latenciesMs, 50),
    cannedP99: percentile(canned.latency.latenciesMs, 99),
    realRps: real.rps.requestsPerSecond,
    cannedRps: canned.rps.requestsPerSecond,
    realLoadedP99: real.rps.p99Ms ?? Number.NaN,
    cannedLoadedP99: canned.rps.p99Ms ?? Number.NaN,
    shedOvershootP50: percentile(shedOver, 50),
    shedOvershootP99: percentile(shedOver, 99),
    cutOvershootP50: percentile(cutOver, 50),
    cutOvershootP99: percentile(cutOver, 99),
    realCpu: real.rps.loadGenCpuPercent,
    cannedCpu: canned.rps.loadGenCpuPercent,
    aioRps: aio.rps.requestsPerSecond,
    aioCpu: aio.rps.loadGenCpuPercent,
    cpuPerRequest: { real: real.cpuPerRequest, canned: canned.cpuPerRequest, aio: aio.cpuPerRequest },
  };
  return {
    label: 'polyglot',
    metrics: polyglotMetrics(numbers),
    notes,
    raw: {
      path: polyglotPath,
      service: { loadgen },
      cannedLatency: { ...loadSummary(canned.latency), concurrency: options.latencyConcurrency },
      realLatency: { ...loadSummary(real.latency), concurrency: options.latencyConcurrency },
      cannedRps: { ...loadSummary(canned.rps), concurrency: options.concurrency, loadgen },
      aioLatency: { ...loadSummary(aio.latency), concurrency: options.latencyConcurrency },
      aioRps: { ...loadSummary(aio.rps), concurrency: options.concurrency, loadgen },
      realRps: { ...loadSummary(real.rps), concurrency: options.concurrency, loadgen, scoreDelayMs: polyglotBenchDelays.throughputMs },
      overshootShed: { ...loadSummary(shed.result), timeoutMs: overshootTimeoutMs, scoreDelayMs: polyglotBenchDelays.slowMs, codes: Object.fromEntries(shed.codes) },
      overshootCut: { ...loadSummary(cut.result), timeoutMs: overshootTimeoutMs, cannedDelayMs: polyglotBenchDelays.slowMs, codes: Object.fromEntries(cut.codes) },
    },
  };
}
