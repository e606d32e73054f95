/**
 * Slow clients (slowloris): sockets that send their request head a byte at a time, and sockets
 * that send a whole head and then trickle the body. A server that waits for them forever runs
 * out of connections; each must be closed within the service's limit (head 5 s, body 10 s in
 * both catalogs) plus a little slack, while its health check keeps answering on other
 * connections.
 */
import { connect, type Socket } from 'node:net';
import type { Figure } from './figures.ts';

export interface SlowLimits {
  /** How long the service lets a request head take (ms). */
  readonly headMs: number;
  /** How long it lets a body take once the head is in (ms); undefined = the route takes no body. */
  readonly bodyMs?: number;
  /** A route with a body, for the slow-body sockets (e.g. `POST /products`). */
  readonly bodyTarget?: string;
}

/** What the tester allows beyond the limit: scheduling, a loaded 2-core machine. */
export const SLACK_MS = 2_000;

/** Opens a socket that drips `head` (then `body`) every `dripMs`; resolves with how long the server held it (capped at `capMs`). */
function drip(port: number, head: string, body: string, dripMs: number, capMs: number): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket: Socket = connect({ host: '127.0.0.1', port });
    const bytes = Buffer.from(head + body, 'latin1');
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      if (timer) clearInterval(timer);
      socket.destroy();
      resolve(Math.min(performance.now() - started, capMs));
    };
    const cap = setTimeout(done, capMs);
    socket.on('close', () => {
      clearTimeout(cap);
      done();
    });
    socket.on('error', () => undefined); // a reset is the server letting go: 'close' follows
    socket.on('data', () => undefined); // a 408 may come first; the close is what counts
    socket.on('connect', () => {
      // The head but its last byte at once is not enough: a server must bound the WHOLE head.
      timer = setInterval(() => {
        if (sent < bytes.length && !socket.destroyed) socket.write(bytes.subarray(sent, ++sent));
      }, dripMs);
    });
  });
}

/** Health checks every 250 ms while `work` runs: how many failed, and the slowest answer (ms). */
async function healthDuring(baseUrl: string, healthPath: string, work: Promise<unknown>): Promise<{ failed: number; worstMs: number; asked: number }> {
  let running = true;
  void work.finally(() => (running = false));
  let failed = 0;
  let worstMs = 0;
  let asked = 0;
  while (running) {
    const started = performance.now();
    try {
      const answer = await fetch(baseUrl + healthPath, { signal: AbortSignal.timeout(2_000) });
      await answer.arrayBuffer();
      if (!answer.ok) failed++;
    } catch {
      failed++;
    }
    asked++;
    worstMs = Math.max(worstMs, performance.now() - started);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { failed, worstMs, asked };
}

/** `count` slow-head and (if the service takes bodies) `count` slow-body sockets at once. */
export async function slowClients(target: string, baseUrl: string, limits: SlowLimits, count = 50, healthPath = '/healthz'): Promise<Figure[]> {
  const port = Number(new URL(baseUrl).port);
  const headCap = limits.headMs + SLACK_MS + 1_000;
  const heads = Array.from({ length: count }, () => drip(port, `GET ${healthPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(200)}`, '', 250, headCap));
  const [method, route] = (limits.bodyTarget ?? '').split(' ');
  const bodyHead = `${method ?? 'POST'} ${route ?? '/'} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n`;
  // One byte every 25 ms, head and body alike: the body's clock starts when the head is in.
  const bodyStartsMs = bodyHead.length * 25;
  const bodyCap = bodyStartsMs + (limits.bodyMs ?? 0) + SLACK_MS + 1_000;
  const bodies = limits.bodyMs === undefined || limits.bodyTarget === undefined ? [] : Array.from({ length: count }, () => drip(port, bodyHead, ' '.repeat(4096), 25, bodyCap));
  const all = Promise.all([Promise.all(heads), Promise.all(bodies)]);
  const [health, [headHeld, bodyHeld]] = await Promise.all([healthDuring(baseUrl, healthPath, all), all]);
  const headOver = headHeld.filter((ms) => ms > limits.headMs + SLACK_MS).length;
  const figures: Figure[] = [
    { target, measure: 'slow-head sockets held past the limit', value: headOver, unit: 'count', max: 0, detail: `${String(count)} sockets; limit ${String(limits.headMs / 1000)} s (+${String(SLACK_MS / 1000)} s slack); longest ${(Math.max(...headHeld) / 1000).toFixed(1)} s` },
  ];
  if (bodies.length > 0) {
    const bodyOver = bodyHeld.filter((ms) => ms - bodyStartsMs > (limits.bodyMs ?? 0) + SLACK_MS).length;
    const longest = Math.max(...bodyHeld) - bodyStartsMs;
    figures.push({ target, measure: 'slow-body sockets held past the limit', value: bodyOver, unit: 'count', max: 0, detail: `${String(count)} sockets on ${limits.bodyTarget ?? ''}; limit ${String((limits.bodyMs ?? 0) / 1000)} s (+${String(SLACK_MS / 1000)} s slack); longest ${(longest / 1000).toFixed(1)} s after the head` });
  }
  figures.push({ target, measure: 'health checks failed meanwhile', value: health.failed, unit: 'count', max: 0, detail: `${String(health.asked)} asked; slowest ${health.worstMs.toFixed(0)} ms` });
  return figures;
}
