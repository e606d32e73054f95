import { describe, expect, it } from 'vitest';
import { cpuMsOfStat, cpuPerRequest, itemCount, overshoots, polyglotGoals, polyglotMetrics, problemCode, type PolyglotNumbers } from './polyglot.ts';
import { parseArgs, verdict } from './report.ts';

describe('CPU per request', () => {
  it('reads utime + stime from /proc/PID/stat, a command name with spaces and parentheses included', () => {
    const stat = '4242 (go (gate way)) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 37 0 0 20 0 8 0 1000 0 0';
    expect(cpuMsOfStat(stat)).toBe((250 + 37) * 10);
  });

  it('says the gateway and the server apart, in µs per request', () => {
    expect(cpuPerRequest(950, 3100, 10_000)).toBe('CPU/req: gateway 95 µs + server 310 µs');
    expect(cpuPerRequest(undefined, 3100, 10_000)).toBe('');
    expect(cpuPerRequest(1, 1, 0)).toBe('');
  });
});

describe('answers', () => {
  it('overshoot is the answer time minus the timeout (negative: early)', () => {
    expect(overshoots([8, 100, 103.5], 100)).toEqual([-92, 0, 3.5]);
  });

  it('reads the problem code and the item count', () => {
    expect(problemCode({ code: 'deadline_too_short', status: 504 })).toBe('deadline_too_short');
    expect(problemCode({ status: 504 })).toBe('(no code)');
    expect(problemCode(null)).toBe('(no code)');
    expect(itemCount({ recommendations: [{}, {}], model_version: 'm' })).toBe(2);
    expect(itemCount({ code: 'x' })).toBe(-1);
  });
});

const numbers: PolyglotNumbers = {
  realP50: 4,
  realP99: 9,
  cannedP50: 1,
  cannedP99: 3,
  realRps: 3000,
  cannedRps: 6000,
  realLoadedP99: Number.NaN,
  cannedLoadedP99: Number.NaN,
  shedOvershootP50: -95,
  shedOvershootP99: -90,
  cutOvershootP50: -48,
  cutOvershootP99: 7,
  realCpu: 20,
  cannedCpu: 30,
  aioRps: 4000,
  aioCpu: 25,
};

describe('polyglotMetrics', () => {
  it('holds req/s against the canned server (goal 60%) and overshoot p99 against 5 ms', () => {
    const metrics = polyglotMetrics(numbers);
    const ratio = metrics.find((m) => m.name === 'recommender / canned req/s');
    expect(ratio?.value).toBe(50);
    expect(ratio?.goal).toEqual({ kind: 'at-least', limit: polyglotGoals.rpsPercent });
    expect(ratio && verdict(ratio)).toBe('under');
    const shed = metrics.find((m) => m.name.startsWith('overshoot p99, recommender sheds'));
    expect(shed && verdict(shed)).toBe('ok');
    expect(shed?.ratio).toBe('answered at 10.0 ms of 100');
    const cut = metrics.find((m) => m.name.startsWith('overshoot p99, deadline cuts'));
    expect(cut && verdict(cut)).toBe('over');
  });

  it('splits the gap: the grpc.aio ceiling against grpc-go, the recommender against grpc.aio (no goals)', () => {
    const metrics = polyglotMetrics(numbers);
    const ceiling = metrics.find((m) => m.name === 'canned grpc.aio / canned grpc-go req/s');
    const own = metrics.find((m) => m.name === 'recommender / canned grpc.aio req/s');
    expect(ceiling?.value).toBeCloseTo(66.67, 1);
    expect(own?.value).toBe(75);
    expect(ceiling?.goal).toBeUndefined();
    expect(own?.goal).toBeUndefined();
  });

  it('shows the under-load p99 rows only when wrk measured them', () => {
    expect(polyglotMetrics(numbers).some((m) => m.name.includes('under req/s load'))).toBe(false);
    const loaded = polyglotMetrics({ ...numbers, realLoadedP99: 20, cannedLoadedP99: 10 });
    expect(loaded.find((m) => m.name === 'gateway -> recommender, p99 under req/s load')?.ratio).toBe('2.00x canned (+10.0 ms)');
  });

  it('puts the CPU per request beside the req/s, when measured', () => {
    const metrics = polyglotMetrics({ ...numbers, cpuPerRequest: { real: 'CPU/req: gateway 90 µs + server 900 µs', canned: '', aio: '' } });
    expect(metrics.find((m) => m.name === 'gateway -> recommender (delay 0)')?.ratio).toBe('CPU/req: gateway 90 µs + server 900 µs; load gen CPU 20%');
    expect(metrics.find((m) => m.name === 'gateway -> canned gRPC (baseline)')?.ratio).toBe('load gen CPU 30%');
  });

  it('compares light-load latencies with the canned stack', () => {
    expect(polyglotMetrics(numbers).find((m) => m.name === 'gateway -> recommender, p99 (light load)')?.ratio).toBe('3.00x canned p99 (+6.0 ms)');
  });
});

describe('pnpm bench polyglot arguments', () => {
  it('takes the catalog benches options', () => {
    expect(parseArgs(['polyglot', '--requests', '2000', '--loadgen', 'node', '--json'])).toMatchObject({ ok: true, name: 'polyglot', options: { requests: 2000, loadgen: 'node', json: true } });
    expect(parseArgs(['polyglot', 'extra'])).toEqual({ ok: false, message: 'pnpm bench polyglot: unknown option "extra"' });
  });
});
