/**
 * `pnpm rollout drain`: "a SIGTERM to one instance under steady load loses no request". Two
 * good recommender instances (v1, v2) behind the gateway at 50/50 and a steady load; halfway,
 * v2 gets a SIGTERM. It says NOT_SERVING, keeps serving for its drain delay, then stops (grace
 * for in-flight calls) and exits 0; the gateway's health watcher sees NOT_SERVING within one
 * poll and routes v2's share to v1. The goal: no failed request, the killed instance exits 0,
 * requests are served before and after, and the survivor takes the traffic (the gateway's own
 * `gateway_upstream_requests_total`; Prometheus is not needed).
 *
 * Timing: the gateway polls health every GATEWAY_HEALTH_INTERVAL_MS (500 ms, its default) and
 * the victim's RECOMMENDER_DRAIN_DELAY_MS is 2000 ms: longer than a poll interval plus a check
 * (500 ms timeout) plus the load's request timeout margin, so no new call reaches it once it
 * stops taking calls.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, lastLinesOf, startService, type RunningService, type ServiceSpec } from '../../lab-engine/process.ts';
import { mintDevJwt } from '../../probes/dev-jwt.ts';
import { services } from '../../services/registry.ts';
import { RECOMMENDATIONS_PATH } from './canary.ts';
import { startLoad, type LoadCounts, type RunningLoad } from './load.ts';
import { RolloutError } from './prometheus.ts';
import { toolsFor } from './stack.ts';

export interface DrainTiming {
  readonly rate: number;
  /** Load before the SIGTERM (ms). */
  readonly beforeMs: number;
  /** Load after the SIGTERM (ms); must cover the drain delay plus the victim's stop. */
  readonly afterMs: number;
  /** The victim's RECOMMENDER_DRAIN_DELAY_MS. */
  readonly drainDelayMs: number;
  /** The gateway's GATEWAY_HEALTH_INTERVAL_MS. */
  readonly healthIntervalMs: number;
}

export const DEFAULT_DRAIN: DrainTiming = { rate: 50, beforeMs: 3_000, afterMs: 4_000, drainDelayMs: 2_000, healthIntervalMs: 500 };

/** Calls each upstream answered OK, from the gateway's /metrics. */
export type Served = Readonly<Record<'v1' | 'v2', number>>;

export interface DrainReport {
  readonly result: 'clean' | 'failed';
  readonly requests: number;
  readonly failed: number;
  readonly firstFailure?: string;
  /** The load before and after the SIGTERM. */
  readonly before: LoadCounts;
  readonly after: LoadCounts;
  /** The killed instance's exit code (null: a signal ended it). */
  readonly victimExit: number | null;
  /** From the SIGTERM to the victim's exit (ms). */
  readonly victimStopMs: number;
  /** OK calls per upstream: at the SIGTERM, when the victim had exited, at the end. */
  readonly servedAtKill: Served;
  readonly servedAtExit: Served;
  readonly servedAtEnd: Served;
  /** Both served before; after the victim exited, the survivor served and the victim nothing. */
  readonly survivorTookTraffic: boolean;
  readonly timing: DrainTiming;
  readonly durationMs: number;
}


/** `gateway_upstream_requests_total{code="OK",upstream="v1"} 12` → v1: 12. */
export function servedFrom(metricsText: string): Served {
  const count = (name: string): number => {
    const line = metricsText.split('\n').find((l) => l.startsWith('gateway_upstream_requests_total{') && l.includes('code="OK"') && l.includes(`upstream="${name}"`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return { v1: count('v1'), v2: count('v2') };
}

/** The verdict, pure: no failure, a clean exit, traffic on both before and on the survivor only after. */
export function drainVerdict(r: Pick<DrainReport, 'failed' | 'before' | 'after' | 'victimExit' | 'servedAtKill' | 'servedAtExit' | 'servedAtEnd'>): { result: 'clean' | 'failed'; survivorTookTraffic: boolean } {
  const survivorTookTraffic =
    r.servedAtKill.v1 > 0 && r.servedAtKill.v2 > 0 && r.servedAtEnd.v1 > r.servedAtExit.v1 && r.servedAtEnd.v2 === r.servedAtExit.v2;
  const clean = r.failed === 0 && r.victimExit === 0 && r.before.requests > 0 && r.after.requests > 0 && survivorTookTraffic;
  return { result: clean ? 'clean' : 'failed', survivorTookTraffic };
}

/** A recommender this run owns the process of (its exit code is part of the verdict). */
export interface DrainRun {
  readonly root: string;
  readonly timing?: Partial<DrainTiming>;
  readonly log?: (line: string) => void;
  readonly onResource?: (stop: () => Promise<unknown>) => void;
  /** Per service start deadline (a cold `go run` compiles: default 90 s). */
  readonly deadlineMs?: number;
}

export async function runDrain(options: DrainRun): Promise<DrainReport> {
  const timing: DrainTiming = { ...DEFAULT_DRAIN, ...options.timing };
  const log = options.log ?? ((): void => undefined);
  const deadlineMs = options.deadlineMs ?? 90_000;
  const started = performance.now();
  const { root } = options;
  const recommenderDef = services['recommender'];
  const gatewayDef = services['gateway'];
  if (!recommenderDef || !gatewayDef) throw new RolloutError('registry: the recommender and gateway entries are missing');
  const tools = toolsFor(root, ['recommender', 'gateway']);
  const cleanup: (() => Promise<unknown>)[] = [];
  const own = (stop: () => Promise<unknown>): void => {
    cleanup.push(stop);
    options.onResource?.(stop);
  };
  let load: RunningLoad | undefined;
  try {
    const ports = { v1: await freePort(), v2: await freePort(), gateway: await freePort() };
    const recommenderSpec = (version: 'v1' | 'v2'): ServiceSpec => {
      const base = recommenderDef.spec(root, ports[version], tools, new Map());
      return { ...base, env: { ...base.env, RECOMMENDER_VERSION: version, RECOMMENDER_DRAIN_DELAY_MS: String(timing.drainDelayMs) }, deadlineMs };
    };
    let t0 = performance.now();
    const v1Outcome = await startService(recommenderSpec('v1'));
    if (v1Outcome.status !== 'started') throw new RolloutError(`recommender v1 did not start (${v1Outcome.status}): ${lastLinesOf(v1Outcome.output, 5).replaceAll('\n', ' | ')}`);
    const v1: RunningService = v1Outcome.service;
    own(() => v1.stop());
    log(`recommender v1 (survivor) up at 127.0.0.1:${ports.v1} (${Math.round(performance.now() - t0)} ms)`);
    t0 = performance.now();
    const v2Outcome = await startService(recommenderSpec('v2'));
    if (v2Outcome.status !== 'started') throw new RolloutError(`recommender v2 did not start (${v2Outcome.status}): ${lastLinesOf(v2Outcome.output, 5).replaceAll('\n', ' | ')}`);
    const victim: RunningService = v2Outcome.service;
    own(() => victim.stop(5_000));
    log(`recommender v2 (to be drained) up at 127.0.0.1:${ports.v2}, RECOMMENDER_DRAIN_DELAY_MS=${timing.drainDelayMs} (${Math.round(performance.now() - t0)} ms)`);
    t0 = performance.now();
    const gatewayBase = gatewayDef.spec(root, ports.gateway, tools, new Map([['recommender', `http://127.0.0.1:${ports.v1}`]]));
    const gatewayEnv: NodeJS.ProcessEnv = {
      ...gatewayBase.env,
      GATEWAY_RECOMMENDERS: `v1=127.0.0.1:${ports.v1},v2=127.0.0.1:${ports.v2}`,
      GATEWAY_WEIGHTS: 'v1=50,v2=50',
      GATEWAY_HEALTH_INTERVAL_MS: String(timing.healthIntervalMs),
    };
    delete gatewayEnv['GATEWAY_RECOMMENDER_ADDR'];
    // /readyz: both upstreams' first health answers are in before the load starts.
    const gatewayOutcome = await startService({ ...gatewayBase, env: gatewayEnv, healthPath: '/readyz', deadlineMs });
    if (gatewayOutcome.status !== 'started') throw new RolloutError(`gateway did not start (${gatewayOutcome.status}): ${lastLinesOf(gatewayOutcome.output, 5).replaceAll('\n', ' | ')}`);
    const gateway = gatewayOutcome.service;
    own(() => gateway.stop());
    log(`gateway up at ${gateway.baseUrl}, weights v1=50,v2=50, GATEWAY_HEALTH_INTERVAL_MS=${timing.healthIntervalMs} (${Math.round(performance.now() - t0)} ms)`);
    const served = async (): Promise<Served> => {
      const response = await fetch(`${gateway.baseUrl}/metrics`, { signal: AbortSignal.timeout(3_000) });
      return servedFrom(await response.text());
    };

    load = startLoad({ url: gateway.baseUrl + RECOMMENDATIONS_PATH, rate: timing.rate, headers: { authorization: `Bearer ${mintDevJwt({}, { ttlSeconds: 3600 })}` } });
    const running = load;
    own(() => running.stop());
    log(`load: ${timing.rate} req/s on GET ${RECOMMENDATIONS_PATH}`);
    await sleep(timing.beforeMs);
    const servedAtKill = await served();
    const before = running.mark();
    const killedAt = performance.now();
    victim.terminate();
    log(`SIGTERM to v2 after ${before.requests} requests (${before.failed} failed); served so far v1 ${servedAtKill.v1}, v2 ${servedAtKill.v2}`);
    const victimExit = await Promise.race([victim.exited, sleep(timing.drainDelayMs + 10_000).then(() => 'timeout' as const)]);
    if (victimExit === 'timeout') throw new RolloutError(`recommender v2 did not exit within ${(timing.drainDelayMs + 10_000) / 1000} s of its SIGTERM`);
    const victimStopMs = Math.round(performance.now() - killedAt);
    const servedAtExit = await served();
    log(`v2 exited ${String(victimExit)} after ${victimStopMs} ms; served so far v1 ${servedAtExit.v1}, v2 ${servedAtExit.v2}`);
    await sleep(Math.max(500, timing.afterMs - victimStopMs));
    const after = running.mark();
    const totals = await running.stop();
    const servedAtEnd = await served();
    log(`after the SIGTERM: ${after.requests} requests, ${after.failed} failed; served at the end v1 ${servedAtEnd.v1}, v2 ${servedAtEnd.v2}`);
    const verdict = drainVerdict({ failed: totals.failed, before, after, victimExit, servedAtKill, servedAtExit, servedAtEnd });
    return {
      ...verdict,
      requests: totals.requests,
      failed: totals.failed,
      ...(totals.firstFailure === undefined ? {} : { firstFailure: totals.firstFailure }),
      before,
      after,
      victimExit,
      victimStopMs,
      servedAtKill,
      servedAtExit,
      servedAtEnd,
      timing,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await load?.stop();
    for (const stop of cleanup.splice(0).reverse()) await stop().catch(() => undefined);
  }
}

export function drainSummary(r: DrainReport): string[] {
  return [
    `drain: ${r.result === 'clean' ? 'CLEAN' : 'FAILED'}: ${r.requests} requests, ${r.failed} failed${r.firstFailure ? ` (first: ${r.firstFailure})` : ''}, ${(r.durationMs / 1000).toFixed(1)} s`,
    `  v2 got SIGTERM, exited ${String(r.victimExit)} after ${r.victimStopMs} ms (drain delay ${r.timing.drainDelayMs} ms, gateway health poll ${r.timing.healthIntervalMs} ms)`,
    `  served before ${r.before.requests}, after ${r.after.requests}; OK calls v1 ${r.servedAtKill.v1} → ${r.servedAtEnd.v1}, v2 ${r.servedAtKill.v2} → ${r.servedAtEnd.v2}`,
    `  the survivor took the traffic: ${r.survivorTookTraffic ? 'yes' : 'NO'}`,
  ];
}
