import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { canaryQueries } from '../canary/queries.ts';
import { canarySummary, decisionText, readSli, weightsFor, type CanaryReport } from './canary.ts';
import { parseArgs, USAGE } from './cli.ts';
import { drainSummary, drainVerdict, servedFrom, DEFAULT_DRAIN, type DrainReport } from './drain.ts';
import { percentileOf, startLoad } from './load.ts';
import { findPrometheus, prometheusYaml, rolloutRuleFiles, sampleValue, startPrometheus } from './prometheus.ts';
import { recommenderEnv, weightsEnv } from './stack.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('rollout cli arguments', () => {
  it('parses the three commands', () => {
    expect(parseArgs(['canary', '--candidate', 'good'])).toEqual({ kind: 'canary', candidate: 'good', json: false });
    expect(parseArgs(['canary', '--json', '--candidate=faulty'])).toEqual({ kind: 'canary', candidate: 'faulty', json: true });
    expect(parseArgs(['blue-green', '--json'])).toEqual({ kind: 'blue-green', json: true });
    expect(parseArgs(['drain'])).toEqual({ kind: 'drain', json: false });
    expect(parseArgs(['drain', '--json'])).toEqual({ kind: 'drain', json: true });
  });
  it.each([
    [[], 'no command'],
    [['deploy'], "unknown command 'deploy'"],
    [['canary'], 'canary needs --candidate good|faulty'],
    [['canary', '--candidate'], '--candidate needs a value: good or faulty'],
    [['canary', '--candidate', 'meh'], "--candidate must be good or faulty, not 'meh'"],
    [['canary', '--candidate', 'good', '--candidate', 'good'], '--candidate given twice'],
    [['blue-green', '--candidate', 'good'], "unknown option '--candidate' for blue-green"],
    [['drain', '--candidate', 'good'], "unknown option '--candidate' for drain"],
  ])('%j is bad usage', (argv, error) => {
    expect(parseArgs(argv)).toEqual({ error });
  });
  it('bad usage is one line and exit 2, before anything starts', () => {
    for (const argv of [[], ['canary'], ['canary', '--candidate', 'meh'], ['nope']]) {
      const r = spawnSync(process.execPath, [path.join(root, 'scripts/rollout.ts'), ...argv], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(2);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toContain(USAGE);
      expect(r.stderr).toBe('');
    }
  });
});

describe('drain verdict (pure)', () => {
  const load = (requests: number, failed = 0): DrainReport['before'] => ({ requests, failed, p50Ms: 2, p99Ms: 9 });
  const good = {
    failed: 0,
    before: load(150),
    after: load(200),
    victimExit: 0,
    servedAtKill: { v1: 70, v2: 78 },
    servedAtExit: { v1: 162, v2: 91 },
    servedAtEnd: { v1: 259, v2: 91 },
  };
  it('clean: nothing failed, the victim exited 0, both served before, only the survivor after', () => {
    expect(drainVerdict(good)).toEqual({ result: 'clean', survivorTookTraffic: true });
  });
  it.each([
    ['a failed request', { failed: 1 }, true],
    ['the victim exited 1', { victimExit: 1 }, true],
    ['the victim was killed by a signal', { victimExit: null }, true],
    ['nothing served after the SIGTERM', { after: load(0) }, true],
    ['v2 never served (no 50/50 before)', { servedAtKill: { v1: 148, v2: 0 } }, false],
    ['the victim served after its exit (metrics from the wrong gateway?)', { servedAtEnd: { v1: 259, v2: 95 } }, false],
    ['the survivor served nothing after the exit', { servedAtEnd: { v1: 162, v2: 91 } }, false],
  ])('failed: %s', (_name, change, tookTraffic) => {
    expect(drainVerdict({ ...good, ...change })).toEqual({ result: 'failed', survivorTookTraffic: tookTraffic });
  });
  it('reads the OK calls per upstream from the gateway metrics', () => {
    const text = [
      '# TYPE gateway_upstream_requests_total counter',
      'gateway_upstream_requests_total{code="OK",upstream="v1"} 259',
      'gateway_upstream_requests_total{code="UNAVAILABLE",upstream="v2"} 3',
      'gateway_upstream_requests_total{code="OK",upstream="v2"} 91',
      'gateway_upstream_duration_seconds_count{code="OK",upstream="v1"} 259',
    ].join('\n');
    expect(servedFrom(text)).toEqual({ v1: 259, v2: 91 });
    expect(servedFrom('')).toEqual({ v1: 0, v2: 0 });
  });
  it('summarises in four lines and keeps the timing it ran with', () => {
    const lines = drainSummary({ ...good, ...drainVerdict(good), requests: 350, victimStopMs: 2070, timing: DEFAULT_DRAIN, durationMs: 8_700 });
    expect(lines[0]).toBe('drain: CLEAN: 350 requests, 0 failed, 8.7 s');
    expect(lines).toHaveLength(4);
    expect(DEFAULT_DRAIN.drainDelayMs).toBeGreaterThan(DEFAULT_DRAIN.healthIntervalMs + 500); // a poll + its timeout
  });
});

describe('prometheus launcher', () => {
  it('writes a config Prometheus reads as YAML (JSON syntax), 1 s scrapes, version labels', () => {
    const config = JSON.parse(prometheusYaml({ jobs: [{ job: 'recommender', targets: [{ address: '127.0.0.1:1', labels: { version: 'v1' } }] }], ruleFiles: ['/r.yml'] })) as Record<string, unknown>;
    expect(config).toMatchObject({ global: { scrape_interval: '1s' }, rule_files: ['/r.yml'], scrape_configs: [{ job_name: 'recommender', static_configs: [{ targets: ['127.0.0.1:1'], labels: { version: 'v1' } }] }] });
  });
  it('loads the SLO rules of the services it runs only', () => {
    expect(rolloutRuleFiles(root).map((f) => path.basename(f))).toEqual(['gateway.yml', 'recommender.yml']);
  });
  it('reads an instant value; an empty vector or NaN is null; an error throws', () => {
    expect(sampleValue({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.25'] }] } })).toBe(0.25);
    expect(sampleValue({ status: 'success', data: { resultType: 'vector', result: [] } })).toBeNull();
    expect(sampleValue({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'NaN'] }] } })).toBeNull();
    expect(sampleValue({ status: 'success', data: { resultType: 'scalar', result: [1, '3'] } })).toBe(3);
    expect(() => sampleValue({ status: 'error', error: 'bad' })).toThrow(/query failed/);
  });
  // Skipped only outside CI without prometheus: with CI=true a missing binary fails the test.
  it.skipIf(findPrometheus() === undefined && process.env['CI'] !== 'true')('starts a real Prometheus on a free port, scrapes a target, answers a query, and leaves nothing behind', async () => {
    const target = createServer((_, res) => res.end('# TYPE demo_total counter\ndemo_total 42\n'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const address = target.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const prometheus = await startPrometheus({ jobs: [{ job: 'demo', targets: [{ address: `127.0.0.1:${port}`, labels: { version: 'v9' } }] }] });
    try {
      let value: number | null = null;
      for (let i = 0; i < 50 && value === null; i++) {
        value = await prometheus.query('demo_total{job="demo",version="v9"}');
        if (value === null) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(value).toBe(42);
    } finally {
      await prometheus.stop();
      target.close();
    }
    await expect(fetch(`${prometheus.baseUrl}/-/ready`)).rejects.toThrow();
  }, 30_000);
});

describe('steady-rate load driver', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());
  it('sends at the given rate whatever the answers, and counts failures', async () => {
    let n = 0;
    server = createServer((_, res) => {
      n++;
      res.statusCode = n % 10 === 0 ? 500 : 200;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const load = startLoad({ url: `http://127.0.0.1:${port}/x`, rate: 100 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const first = load.mark();
    const totals = await load.stop();
    expect(totals.requests).toBeGreaterThanOrEqual(90);
    expect(totals.requests).toBeLessThanOrEqual(110);
    expect(totals.failed).toBe(Math.floor(totals.requests / 10));
    expect(totals.firstFailure).toBe('HTTP 500');
    expect(first.requests).toBeLessThanOrEqual(totals.requests);
  });
  it('percentiles by nearest rank', () => {
    expect(percentileOf([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentileOf([5, 1, 3, 2, 4], 100)).toBe(5);
    expect(percentileOf([], 99)).toBeNaN();
  });
});

describe('canary runtime pieces', () => {
  const errorRate = canaryQueries.find((q) => q.name === 'error-rate');
  const latency = canaryQueries.find((q) => q.name === 'latency-p99');
  it('a ratio with no series reads 0 while the candidate serves, null when it does not', async () => {
    if (!errorRate || !latency) throw new Error('queries changed');
    const serving = { query: (q: string): Promise<number | null> => Promise.resolve(q.startsWith('sum(rate(recommender_rpc_duration_seconds_count{job="recommender",version="v2"}') ? 2.5 : null) };
    const idle = { query: (): Promise<number | null> => Promise.resolve(null) };
    expect(await readSli(serving, errorRate, '10s')).toEqual({ name: 'error-rate', value: 0 });
    expect(await readSli(idle, errorRate, '10s')).toEqual({ name: 'error-rate', value: null });
    expect(await readSli(serving, latency, '10s')).toEqual({ name: 'latency-p99', value: null });
    const seen: string[] = [];
    await readSli({ query: (q) => (seen.push(q), Promise.resolve(0.5)) }, errorRate, '7s');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('version="v2"');
    expect(seen[0]).toContain('[7s]');
  });
  it('env and weights in the contract syntax', () => {
    expect(weightsEnv({ v1: 95, v2: 5 })).toBe('v1=95,v2=5');
    expect(weightsFor(25)).toEqual({ v1: 75, v2: 25 });
    expect(recommenderEnv('v2', 9000, { errorRate: 0.2, latencyMs: 300 })).toEqual({ RECOMMENDER_VERSION: 'v2', RECOMMENDER_METRICS_PORT: '9000', RECOMMENDER_FAULT_ERROR_RATE: '0.2', RECOMMENDER_FAULT_LATENCY_MS: '300' });
    expect(recommenderEnv('v1', 9001)).toEqual({ RECOMMENDER_VERSION: 'v1', RECOMMENDER_METRICS_PORT: '9001' });
  });
  it('the text report names the step, the SLI, the value and the threshold of a rollback', () => {
    const rollback = { action: 'rollback', sli: 'error-rate', value: 0.21, threshold: 0.01, reason: 'breach' } as const;
    expect(decisionText(rollback)).toBe('ROLLBACK (error-rate 0.210 > 0.010)');
    const report: CanaryReport = {
      result: 'rolled-back',
      candidate: 'faulty',
      policy: { weights: [5, 25, 50, 100], evaluationsPerStep: 3, maxNoData: 5 },
      window: '10s',
      rate: 50,
      thresholds: [],
      steps: [],
      requests: 400,
      failed: 12,
      finalWeights: { v1: 100, v2: 0 },
      rollbackAfterMs: 4100,
      rollback: { ...rollback, weight: 5 },
      afterRollback: { requests: 100, failed: 0, p50Ms: 5, p99Ms: 9 },
      durationMs: 15_000,
    };
    const text = canarySummary(report).join('\n');
    expect(text).toContain('ROLLED BACK');
    expect(text).toContain('candidate at 5% (step 1 of 4)');
    expect(text).toContain('error-rate: value 0.210 above the threshold 0.010');
    expect(text).toContain('4100 ms');
  });
});

describe('rollout gate', () => {
  it('runs the live suite alone; skipped with the fix when prometheus is missing, run anyway in CI', async () => {
    const { rolloutGate } = await import('./gate.ts');
    const gate = rolloutGate(root, {}, () => '/usr/bin/prometheus');
    expect(gate).toMatchObject({ scope: 'ts', alone: true, args: ['run', 'tooling/rollout/runtime/live'] });
    expect(gate.skip).toBeUndefined();
    expect(rolloutGate(root, {}, () => undefined).skip).toMatch(/apt-get install .*prometheus/);
    expect(rolloutGate(root, { CI: 'true' }, () => undefined).skip).toBeUndefined();
  });
});
