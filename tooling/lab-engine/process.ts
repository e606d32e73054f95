/**
 * The one process helper every step and probe uses: run a command with a deadline, find a free
 * port, start a service and wait for its health, stop a whole process group. Every child runs
 * in its own process group so a timeout or Ctrl-C stops it with all of its children.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { grpcHealthCheck } from './grpc-health.ts';
import { natsJetStreamReady } from './nats-health.ts';

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Aborting stops the whole process group at once (kit verify's fail-fast mode). */
  readonly signal?: AbortSignal | undefined;
}

const live = new Set<ChildProcess>();

/** Stops every child still running; called when the command itself is interrupted. */
export function stopAllChildren(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    let timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killGroup(child, 'SIGKILL');
        }, options.timeoutMs)
      : undefined;
    const abort = (): void => killGroup(child, 'SIGKILL');
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    const finish = (code: number | null, spawnError?: Error): void => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      live.delete(child);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (spawnError ? spawnError.message : ''),
        ms: performance.now() - started,
        timedOut,
      });
    };
    child.on('error', (error) => finish(null, error));
    child.on('close', (code) => finish(code));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}

/** The last `count` non-empty lines of a process's output. */
export function lastLinesOf(text: string, count: number): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0)
    .slice(-count)
    .join('\n');
}

export interface ServiceSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Path answered with 200 once the service is up, e.g. `/healthz` (HTTP services). */
  readonly healthPath: string;
  /**
   * A gRPC service: wait for the standard health check to say SERVING instead of `healthPath`;
   * a NATS server: wait for its greeting to say JetStream is on.
   */
  readonly health?: { readonly kind: 'grpc'; readonly service?: string } | { readonly kind: 'nats' };
  readonly port: number;
  /** How long to wait for health before giving up (default 20 s). */
  readonly deadlineMs?: number;
}

export interface RunningService {
  readonly baseUrl: string;
  /** The process group's id (the child's pid: it leads its own group): for measuring, not for signals. */
  readonly pid: number | undefined;
  /** Output so far, for failure messages. */
  output(): string;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGTERM to the group without waiting: `exited` says when it is gone (a drain under test). */
  terminate(): void;
  /** SIGKILL to the group, no grace (a crash under test); resolves when it has exited. */
  kill(): Promise<void>;
  /** The exit code once it has exited (null: ended by a signal, or it could not be spawned). */
  readonly exited: Promise<number | null>;
}

export type StartOutcome =
  | { readonly status: 'started'; readonly service: RunningService }
  | { readonly status: 'exited'; readonly code: number | null; readonly output: string }
  | { readonly status: 'timeout'; readonly lastError: string; readonly output: string };

/** True when the HTTP health path answers 2xx, else what it said. */
async function httpHealthy(url: string): Promise<true | string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  return response.ok ? true : `${new URL(url).pathname} answered ${response.status}`;
}

/** True when the gRPC health check says SERVING, else what it said. */
async function grpcServing(port: number, service = ''): Promise<true | string> {
  const status = await grpcHealthCheck(port, service);
  return status === 'SERVING' ? true : `gRPC health ${service || '(server)'} is ${status}`;
}

export async function startService(spec: ServiceSpec): Promise<StartOutcome> {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  const output = (): string => Buffer.concat(chunks).toString('utf8');
  let exited = false;
  const exitedPromise = new Promise<number | null>((resolve) => {
    const done = (code: number | null): void => {
      exited = true;
      live.delete(child);
      resolve(code);
    };
    child.on('close', (code) => done(code));
    child.on('error', (error) => {
      chunks.push(Buffer.from(error.message));
      done(null);
    });
  });
  const baseUrl = `http://127.0.0.1:${spec.port}`;
  const deadline = performance.now() + (spec.deadlineMs ?? 20_000);
  let lastError = 'no answer yet';
  while (performance.now() < deadline) {
    if (exited) return { status: 'exited', code: child.exitCode, output: output() };
    try {
      const healthy =
        spec.health?.kind === 'grpc'
          ? await grpcServing(spec.port, spec.health.service)
          : spec.health?.kind === 'nats'
            ? await natsJetStreamReady(spec.port)
            : await httpHealthy(baseUrl + spec.healthPath);
      if (healthy === true) {
        const stop = async (graceMs = 3_000): Promise<void> => {
          killGroup(child, 'SIGTERM');
          const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
          await exitedPromise;
          clearTimeout(timer);
        };
        const terminate = (): void => killGroup(child, 'SIGTERM');
        const kill = async (): Promise<void> => {
          killGroup(child, 'SIGKILL');
          await exitedPromise;
        };
        return { status: 'started', service: { baseUrl, pid: child.pid, output, stop, terminate, kill, exited: exitedPromise } };
      }
      lastError = healthy;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  killGroup(child, 'SIGKILL');
  await exitedPromise;
  return { status: 'timeout', lastError, output: output() };
}
