/**
 * Black-box probes: TypeScript cases that drive a running service over HTTP. A lab's
 * `check/probe.ts` default-exports `defineProbes([...])`; the engine starts the service on a
 * free port, waits for health, runs every case in order and stops the service. Cases assert
 * with node:assert, whose messages become the failure the attendee reads.
 */

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface ProbeContext {
  readonly baseUrl: string;
  /** Base URL of every service the step started (the probed one and those it needs), by name. */
  readonly services: ReadonlyMap<string, string>;
  /**
   * One HTTP exchange; `body` is sent as JSON unless it is a string (sent as is). A `path`
   * starting with `http` is a full URL (e.g. another service's from `services`).
   */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
}

export interface ProbeCase {
  /** Says the behaviour, e.g. "a missing product is a 404 problem". */
  readonly name: string;
  run(ctx: ProbeContext): Promise<void>;
}

export function defineProbes(cases: ProbeCase[]): ProbeCase[] {
  return cases;
}

export function httpContext(baseUrl: string, services: ReadonlyMap<string, string> = new Map(), timeoutMs = 5_000): ProbeContext {
  return {
    baseUrl,
    services,
    async request(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers }, signal: AbortSignal.timeout(timeoutMs) };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        init.headers = { 'content-type': 'application/json', ...headers };
      }
      const response = await fetch(path.startsWith('http') ? path : baseUrl + path, init);
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
  };
}
