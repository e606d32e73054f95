/**
 * A steady-rate (open-loop) HTTP load driver: sends `rate` requests per second whatever the
 * answers do (a slow candidate does not slow the load down, as in production), each with a
 * timeout, and counts requests, failures (non-2xx or transport error) and latencies. `mark()`
 * cuts the counts into windows (one per canary step, or before/after a switch).
 */
import { Agent, request } from 'node:http';

export interface LoadOptions {
  readonly url: string;
  /** Requests per second. */
  readonly rate: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-request timeout (default 2 s). */
  readonly timeoutMs?: number;
  /** Requests in flight at most; a request due while at the cap counts as a failure (default 256). */
  readonly maxInFlight?: number;
}

export interface LoadCounts {
  readonly requests: number;
  readonly failed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The first failure's status or error, when there was one. */
  readonly firstFailure?: string;
}

export interface RunningLoad {
  /** Counts since the start (answered requests only; in-flight ones are not counted yet). */
  totals(): LoadCounts;
  /** Counts since the last mark (or the start), then starts a new window. */
  mark(): LoadCounts;
  /** Stops sending, waits for the requests in flight, returns the totals. */
  stop(): Promise<LoadCounts>;
}

/** The q-th percentile (0..100) of `values`, nearest rank; NaN when empty. */
export function percentileOf(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

class Window {
  requests = 0;
  failed = 0;
  latencies: number[] = [];
  firstFailure: string | undefined;
  add(ms: number, failure?: string): void {
    this.requests++;
    this.latencies.push(ms);
    if (failure !== undefined) {
      this.failed++;
      this.firstFailure ??= failure;
    }
  }
  counts(): LoadCounts {
    const round = (n: number): number => (Number.isNaN(n) ? n : Math.round(n * 10) / 10);
    return {
      requests: this.requests,
      failed: this.failed,
      p50Ms: round(percentileOf(this.latencies, 50)),
      p99Ms: round(percentileOf(this.latencies, 99)),
      ...(this.firstFailure === undefined ? {} : { firstFailure: this.firstFailure }),
    };
  }
}

export function startLoad(options: LoadOptions): RunningLoad {
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight ?? 256 });
  const timeoutMs = options.timeoutMs ?? 2_000;
  const maxInFlight = options.maxInFlight ?? 256;
  const total = new Window();
  let window = new Window();
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const record = (ms: number, failure?: string): void => {
    total.add(ms, failure);
    window.add(ms, failure);
  };
  const fire = (): void => {
    if (inFlight >= maxInFlight) {
      record(0, `more than ${maxInFlight} requests in flight`);
      return;
    }
    inFlight++;
    const started = performance.now();
    const done = new Promise<void>((resolve) => {
      let settled = false;
      const finish = (failure?: string): void => {
        if (settled) return;
        settled = true;
        inFlight--;
        record(performance.now() - started, failure);
        resolve();
      };
      const req = request(url, { agent, method: 'GET', headers: options.headers ?? {}, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300 ? undefined : `HTTP ${String(res.statusCode)}`));
        res.on('error', (error) => finish(error.message));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => finish(error.message));
      req.end();
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };
  // Ticks of 20 ms; each sends what is due since the start, so timer drift does not change the rate.
  const startedAt = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - startedAt) / 1000) * options.rate);
    while (sent < due) {
      sent++;
      fire();
    }
  }, 20);
  return {
    totals: () => total.counts(),
    mark() {
      const counts = window.counts();
      window = new Window();
      return counts;
    },
    async stop() {
      clearInterval(timer);
      await Promise.all([...pending]);
      agent.destroy();
      return total.counts();
    },
  };
}
