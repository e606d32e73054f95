/**
 * The load generator of `pnpm bench`: node:http with keep-alive, a fixed number of connections
 * each sending its next request as soon as the previous answer is read (closed loop), a warm-up
 * that is not measured, then N measured requests. It reports latencies, requests/s and its own
 * CPU use, so a run limited by the generator rather than the server shows as such.
 * `runWrk` does the requests/s runs with Debian's `wrk` when it is installed: one C thread keeps
 * far more requests in flight per core than Node can (Node tops out near 15k req/s here).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { run as runCommand } from '../lab-engine/process.ts';
import { percentile } from './report.ts';

export interface LoadOptions {
  readonly url: string;
  readonly requests: number;
  readonly concurrency: number;
  readonly warmup: number;
  /** Parse each answer as JSON and hand it here (latency runs); requests/s runs skip parsing. */
  readonly inspect?: (status: number, body: unknown) => void;
  /** Sent with every request (e.g. `authorization`, `x-request-timeout-ms`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The one status that counts as an answer (e.g. 504 for an overshoot run); default any 2xx. */
  readonly expectStatus?: number;
}

export interface LoadResult {
  readonly latenciesMs: number[];
  readonly wallMs: number;
  readonly requestsPerSecond: number;
  /** Non-2xx answers and transport errors in the measured part. */
  readonly failures: number;
  readonly firstFailure?: string;
  /** CPU time of the load generator over wall time, in % of one core. */
  readonly loadGenCpuPercent: number;
  /** Measured requests (wrk runs, which keep no per-request latencies). */
  readonly requestCount?: number;
}

/** One load run as the `--json` output reports it: counts, times and percentiles, rounded. */
export function loadSummary(r: LoadResult): Record<string, number> {
  return {
    requests: r.requestCount ?? r.latenciesMs.length,
    failures: r.failures,
    wallMs: Math.round(r.wallMs),
    requestsPerSecond: Math.round(r.requestsPerSecond),
    p50Ms: Number(percentile(r.latenciesMs, 50).toFixed(2)),
    p99Ms: Number(percentile(r.latenciesMs, 99).toFixed(2)),
    maxMs: Number(percentile(r.latenciesMs, 100).toFixed(2)),
    loadGenCpuPercent: Math.round(r.loadGenCpuPercent),
  };
}

function once(agent: Agent, url: URL, headers: Readonly<Record<string, string>> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function drive(agent: Agent, url: URL, count: number, concurrency: number, onAnswer: (ms: number, status: number, body: string) => void, onError: (error: Error) => void, headers: Readonly<Record<string, string>> = {}): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const started = performance.now();
      try {
        const { status, body } = await once(agent, url, headers);
        onAnswer(performance.now() - started, status, body);
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  try {
    await drive(agent, url, options.warmup, options.concurrency, () => undefined, () => undefined, options.headers);
    const latenciesMs: number[] = [];
    let failures = 0;
    let firstFailure: string | undefined;
    const fail = (why: string): void => {
      failures++;
      firstFailure ??= why;
    };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await drive(
      agent,
      url,
      options.requests,
      options.concurrency,
      (ms, status, body) => {
        latenciesMs.push(ms);
        if (options.expectStatus === undefined ? status < 200 || status > 299 : status !== options.expectStatus) fail(`HTTP ${status}: ${body.slice(0, 200)}`);
        else if (options.inspect) options.inspect(status, JSON.parse(body) as unknown);
      },
      (error) => fail(error.message),
      options.headers,
    );
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      latenciesMs,
      wallMs,
      requestsPerSecond: (latenciesMs.length / wallMs) * 1000,
      failures,
      ...(firstFailure === undefined ? {} : { firstFailure }),
      loadGenCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    };
  } finally {
    agent.destroy();
  }
}

/** What a wrk run printed that the bench uses; undefined fields were not in its output. */
export interface WrkFigures {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly non2xx: number;
  readonly socketErrors: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

function wrkDurationMs(value: string, unit: string): number {
  const n = Number(value);
  if (unit === 'us') return n / 1000;
  if (unit === 's') return n * 1000;
  if (unit === 'm') return n * 60_000;
  return n;
}

/** Parses the text `wrk --latency` prints; undefined when it holds no request count. */
export function parseWrk(output: string): WrkFigures | undefined {
  const total = /(\d+) requests in /.exec(output);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(output);
  if (!total?.[1] || !rate?.[1]) return undefined;
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const pct = (p: string): number | undefined => {
    const found = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
    return found?.[1] && found[2] ? wrkDurationMs(found[1], found[2]) : undefined;
  };
  const p50 = pct('50');
  const p99 = pct('99');
  return {
    requests: Number(total[1]),
    requestsPerSecond: Number(rate[1]),
    non2xx: non2xx?.[1] ? Number(non2xx[1]) : 0,
    socketErrors,
    ...(p50 === undefined ? {} : { p50Ms: p50 }),
    ...(p99 === undefined ? {} : { p99Ms: p99 }),
  };
}

/** CPU seconds of this process's reaped children (cutime + cstime of /proc/self/stat). */
function childCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, so cutime (16) and cstime (17) are [13] and [14].
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export interface WrkOptions {
  readonly wrk: string;
  readonly url: string;
  readonly concurrency: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Sent with every request, as `-H 'name: value'`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One wrk thread (one core) keeping `concurrency` connections busy for `seconds`, after a warm-up. */
export async function runWrk(options: WrkOptions): Promise<LoadResult & { readonly p50Ms?: number; readonly p99Ms?: number }> {
  const headerArgs = Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = (seconds: number): string[] => ['-t1', `-c${options.concurrency}`, `-d${seconds}s`, '--latency', ...headerArgs, options.url];
  await runCommand(options.wrk, args(options.warmupSeconds), { cwd: process.cwd(), timeoutMs: (options.warmupSeconds + 30) * 1000 });
  const cpuBefore = childCpuMs();
  const started = performance.now();
  const ran = await runCommand(options.wrk, args(options.seconds), { cwd: process.cwd(), timeoutMs: (options.seconds + 30) * 1000 });
  const wallMs = performance.now() - started;
  const cpuAfter = childCpuMs();
  const figures = parseWrk(ran.stdout);
  if (ran.code !== 0 || !figures) throw new Error(`wrk failed (exit ${String(ran.code)}): ${(ran.stderr || ran.stdout).trim().slice(0, 300)}`);
  const failures = figures.non2xx + figures.socketErrors;
  return {
    latenciesMs: [],
    wallMs,
    requestsPerSecond: figures.requestsPerSecond,
    failures,
    ...(failures > 0 ? { firstFailure: `${figures.non2xx} non-2xx, ${figures.socketErrors} socket errors` } : {}),
    loadGenCpuPercent: cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : ((cpuAfter - cpuBefore) / wallMs) * 100,
    requestCount: figures.requests,
    ...(figures.p50Ms === undefined ? {} : { p50Ms: figures.p50Ms }),
    ...(figures.p99Ms === undefined ? {} : { p99Ms: figures.p99Ms }),
  };
}
