/**
 * `pnpm rollout blue-green`: v1 is blue, v2 green (both good). Under steady load the gateway is
 * switched 100 % to green, held, and switched back; the goal is no failed request across both
 * switches. Prometheus confirms each colour really served while it was live.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mintDevJwt } from '../../probes/dev-jwt.ts';
import { RECOMMENDATIONS_PATH } from './canary.ts';
import { startLoad, type LoadCounts, type RunningLoad } from './load.ts';
import { startRolloutStack, type RolloutStack, type Version, type Weights } from './stack.ts';

export interface BlueGreenTiming {
  readonly rate: number;
  /** Load on blue before the switch, on green after it, and on blue after the switch back (ms). */
  readonly phaseMs: number;
}

export const DEFAULT_BLUE_GREEN: BlueGreenTiming = { rate: 50, phaseMs: 5_000 };

export interface Phase {
  readonly live: Version;
  readonly load: LoadCounts;
  /** Recommend RPCs/s each version served over the phase's last seconds (Prometheus). */
  readonly served: Readonly<Record<Version, number | null>>;
}

export interface Switch {
  readonly to: Version;
  /** How long PUT /admin/weights took (ms). */
  readonly ms: number;
  readonly weights: Weights;
}

export interface BlueGreenReport {
  readonly result: 'clean' | 'failed';
  readonly requests: number;
  readonly failed: number;
  readonly firstFailure?: string;
  readonly switches: readonly Switch[];
  readonly phases: readonly Phase[];
  /** Each phase's traffic reached the live colour and not the other (Prometheus). */
  readonly switchedTraffic: boolean;
  readonly durationMs: number;
}

const served = (version: Version): string =>
  `sum(rate(recommender_rpc_duration_seconds_count{job="recommender",version="${version}",method="/languagetracks.recommendations.v1.RecommendationService/Recommend"}[3s]))`;

export interface BlueGreenRun {
  readonly root: string;
  readonly timing?: Partial<BlueGreenTiming>;
  readonly log?: (line: string) => void;
  readonly onResource?: (stop: () => Promise<unknown>) => void;
}

export async function runBlueGreen(options: BlueGreenRun): Promise<BlueGreenReport> {
  const timing = { ...DEFAULT_BLUE_GREEN, ...options.timing };
  const log = options.log ?? ((): void => undefined);
  const started = performance.now();
  const stack: RolloutStack = await startRolloutStack({ root: options.root, ...(options.onResource ? { onResource: options.onResource } : {}), log });
  let load: RunningLoad | undefined;
  try {
    load = startLoad({ url: stack.gatewayUrl + RECOMMENDATIONS_PATH, rate: timing.rate, headers: { authorization: `Bearer ${mintDevJwt({}, { ttlSeconds: 3600 })}` } });
    const running = load;
    options.onResource?.(() => running.stop());
    log(`load: ${timing.rate} req/s on GET ${RECOMMENDATIONS_PATH}; blue (v1) live`);
    const phases: Phase[] = [];
    const switches: Switch[] = [];
    const phase = async (live: Version): Promise<void> => {
      await sleep(timing.phaseMs);
      const p: Phase = { live, load: running.mark(), served: { v1: await stack.prometheus.query(served('v1')), v2: await stack.prometheus.query(served('v2')) } };
      phases.push(p);
      log(`${live === 'v1' ? 'blue (v1)' : 'green (v2)'} live: ${p.load.requests} requests, ${p.load.failed} failed, p99 ${p.load.p99Ms} ms; Recommend/s v1 ${(p.served.v1 ?? 0).toFixed(1)}, v2 ${(p.served.v2 ?? 0).toFixed(1)}`);
    };
    const switchTo = async (to: Version): Promise<void> => {
      const t0 = performance.now();
      const weights = await stack.setWeights(to === 'v2' ? { v1: 0, v2: 100 } : { v1: 100, v2: 0 });
      const s: Switch = { to, ms: Math.round((performance.now() - t0) * 10) / 10, weights };
      switches.push(s);
      log(`switch to ${to === 'v2' ? 'green (v2)' : 'blue (v1)'}: weights v1=${weights.v1} v2=${weights.v2} in ${s.ms} ms`);
    };
    await phase('v1');
    await switchTo('v2');
    await phase('v2');
    await switchTo('v1');
    await phase('v1');
    const totals = await load.stop();
    // The 3 s rate window of a phase lies wholly after its switch: the live colour served, the other did not.
    const switchedTraffic = phases.every((p) => (p.served[p.live] ?? 0) > 0 && (p.served[p.live === 'v1' ? 'v2' : 'v1'] ?? 0) === 0);
    return {
      result: totals.failed === 0 && switchedTraffic ? 'clean' : 'failed',
      requests: totals.requests,
      failed: totals.failed,
      ...(totals.firstFailure === undefined ? {} : { firstFailure: totals.firstFailure }),
      switches,
      phases,
      switchedTraffic,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await load?.stop();
    await stack.stop();
  }
}

export function blueGreenSummary(r: BlueGreenReport): string[] {
  return [
    `blue-green: ${r.result === 'clean' ? 'CLEAN' : 'FAILED'}: ${r.requests} requests, ${r.failed} failed${r.firstFailure ? ` (first: ${r.firstFailure})` : ''}, ${(r.durationMs / 1000).toFixed(1)} s`,
    `  switches: ${r.switches.map((s) => `to ${s.to} in ${s.ms} ms`).join(', ')}`,
    `  traffic followed the switch: ${r.switchedTraffic ? 'yes' : 'NO (a colour served while not live, or the live one did not)'}`,
  ];
}
