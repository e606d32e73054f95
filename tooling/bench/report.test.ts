import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { degradedOf, pidOfListener, ratioTo } from './catalog.ts';
import { parseWrk } from './load.ts';
import { defaultOptions, formatGoal, formatValue, metricsTable, missedBy, parseArgs, percentile, renderTable, sideBySide, verdict, type Metric } from './report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('percentile (nearest rank)', () => {
  it('picks the sample at ceil(p/100 * n)', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile(samples, 0)).toBe(1);
  });
  it('handles small samples and does not reorder its input', () => {
    const samples = [3, 1, 2];
    expect(percentile(samples, 50)).toBe(2);
    expect(percentile(samples, 99)).toBe(3);
    expect(samples).toEqual([3, 1, 2]);
    expect(percentile([7], 99)).toBe(7);
  });
  it('is NaN for no samples or a p outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(percentile([1, 2], 101)).toBeNaN();
    expect(percentile([1, 2], Number.NaN)).toBeNaN();
  });
});

describe('goals and formatting', () => {
  const p99: Metric = { name: 'fan-out p99', value: 47.25, unit: 'ms', goal: { kind: 'at-most', limit: 45 }, ratio: '1.18x slowest' };
  const rps: Metric = { name: 'catalog / baseline req/s', value: 62.4, unit: '%', goal: { kind: 'at-least', limit: 50 } };

  it('says ok, over or under against the goal, nothing without one', () => {
    expect(verdict(p99)).toBe('over');
    expect(verdict({ ...p99, value: 45 })).toBe('ok');
    expect(verdict(rps)).toBe('ok');
    expect(verdict({ ...rps, value: 49.9 })).toBe('under');
    expect(verdict({ name: 'x', value: 1, unit: 'ms' })).toBe('');
    expect(verdict({ ...p99, value: Number.NaN })).toBe('');
  });
  it('formats values, goals and by how much a goal is missed', () => {
    expect(formatValue(47.25, 'ms')).toBe('47.3 ms');
    expect(formatValue(1234.6, 'req/s')).toBe('1235 req/s');
    expect(formatValue(62.4, '%')).toBe('62%');
    expect(formatValue(Number.NaN, 'ms')).toBe('n/a');
    expect(formatGoal(p99)).toBe('<= 45.0 ms');
    expect(formatGoal(rps)).toBe('>= 50%');
    expect(missedBy(p99)).toBe('+2.3 ms');
    expect(missedBy({ ...rps, value: 38 })).toBe('-12 pts');
    expect(missedBy(rps)).toBe('');
  });
  it('renders aligned tables, one service or side by side', () => {
    expect(renderTable(['a', 'bb'], [['xxx', 'y']])).toBe('a    bb\n---  --\nxxx  y');
    const one = metricsTable([p99, rps]).split('\n');
    expect(one[0]).toMatch(/^metric\s+value\s+goal\s+ratio\s+ok\/over$/);
    expect(one[2]).toContain('over (+2.3 ms)');
    expect(one[3]).toMatch(/62%\s+>= 50%\s+ok$/);
    const both = sideBySide([
      { label: 'go', metrics: [p99] },
      { label: 'python', metrics: [p99, rps] },
    ]).split('\n');
    expect(both[0]).toMatch(/^metric\s+go value.+python value/);
    expect(both).toHaveLength(4);
  });
});

describe('parseArgs', () => {
  it('takes a bench name and its options', () => {
    expect(parseArgs(['catalog-py'])).toEqual({ ok: true, name: 'catalog-py', options: defaultOptions });
    const parsed = parseArgs(['catalog-go', '--requests', '200', '--concurrency=8', '--latency-concurrency', '2', '--loadgen=node', '--json']);
    expect(parsed).toEqual({ ok: true, name: 'catalog-go', options: { ...defaultOptions, requests: 200, concurrency: 8, latencyConcurrency: 2, loadgen: 'node', json: true } });
    expect(parseArgs(['lab-check', '3'])).toEqual({ ok: true, name: 'lab-check', options: { ...defaultOptions, runs: 3 } });
  });
  it.each([
    [[], /usage: pnpm bench/],
    [['nope'], /unknown bench "nope"/],
    [['catalog-py', '--requests'], /--requests needs a value/],
    [['catalog-py', '--requests', '--json'], /--requests needs a value/],
    [['catalog-py', '--requests', '0'], /must be 1\.\./],
    [['catalog-py', '--concurrency', '1.5'], /not a whole number/],
    [['catalog-py', '--concurrency', '-3'], /not a whole number/],
    [['catalog-py', '--json=yes'], /unknown option/],
    [['catalog-py', '--loadgen', 'ab'], /--loadgen ab: one of auto, wrk, node/],
    [['catalog-py', '--loadgen'], /--loadgen: one of/],
    [['catalog-py', '--verbose'], /unknown option "--verbose"/],
    [['catalog-py', 'extra'], /unknown option "extra"/],
    [['lab-check', '--requests', '5'], /lab-check takes \[runs\]/],
    [['lab-check', '2', '3'], /unexpected argument "3"/],
  ])('rejects %j with one line', (argv, message) => {
    const parsed = parseArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toMatch(message);
      expect(parsed.message).not.toContain('\n');
    }
  });
  it('the script prints that one line and exits 2, starting nothing', () => {
    for (const argv of [['nope'], ['catalog-py', '--requests', 'x']]) {
      const ran = spawnSync(process.execPath, [path.join(root, 'scripts/bench.ts'), ...argv], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      expect(ran.status).toBe(2);
      expect(ran.stdout).toBe('');
      expect(ran.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('ratioTo', () => {
  it('gives the ratio and the difference, or nothing without both figures', () => {
    expect(ratioTo(44, 40, 'slowest p99')).toBe('1.10x slowest p99 (+4.0 ms)');
    expect(ratioTo(39, 40, 'slowest p50')).toBe('0.97x slowest p50 (-1.0 ms)');
    expect(ratioTo(Number.NaN, 40, 'x')).toBe('');
    expect(ratioTo(1, 0, 'x')).toBe('');
  });
});

describe('degradedOf', () => {
  it('lists upstream:reason pairs of an answer', () => {
    expect(degradedOf({ degraded: [] })).toEqual([]);
    expect(degradedOf({ degraded: [{ upstream: 'reviews', reason: 'deadline' }] })).toEqual(['reviews:deadline']);
    expect(degradedOf({})).toEqual(['(no degraded field)']);
  });
});

describe('parseWrk', () => {
  const output = [
    'Running 5s test @ http://127.0.0.1:4000/products/x',
    '  1 threads and 32 connections',
    '  Latency Distribution',
    '     50%  820.00us',
    '     75%    1.10ms',
    '     90%    1.50ms',
    '     99%    2.31ms',
    '  153213 requests in 5.00s, 120.21MB read',
    '  Socket errors: connect 0, read 1, write 0, timeout 2',
    '  Non-2xx or 3xx responses: 4',
    'Requests/sec:  30640.12',
    'Transfer/sec:     24.03MB',
  ].join('\n');
  it('reads requests, rate, errors and latency percentiles', () => {
    expect(parseWrk(output)).toEqual({ requests: 153213, requestsPerSecond: 30640.12, non2xx: 4, socketErrors: 3, p50Ms: 0.82, p99Ms: 2.31 });
  });
  it('is undefined for output without a request count', () => {
    expect(parseWrk('unable to connect to 127.0.0.1:1 Connection refused')).toBeUndefined();
  });
});

describe('pidOfListener', () => {
  it('finds the pid listening on a port in `ss -Hltnp` output', () => {
    const ss = [
      'LISTEN 0      4096   127.0.0.1:41477 0.0.0.0:* users:(("python",pid=28406,fd=5))',
      'LISTEN 0      2048   127.0.0.1:4147  0.0.0.0:* users:(("go-canned",pid=11,fd=3))',
      'LISTEN 0      128      0.0.0.0:2024  0.0.0.0:*',
    ].join('\n');
    expect(pidOfListener(ss, 41477)).toBe(28406);
    expect(pidOfListener(ss, 4147)).toBe(11);
    expect(pidOfListener(ss, 2024)).toBeUndefined();
    expect(pidOfListener(ss, 9)).toBeUndefined();
  });
});
