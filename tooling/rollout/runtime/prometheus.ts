/**
 * A throwaway local Prometheus for `pnpm rollout`: Debian's `/usr/bin/prometheus` (2.42) with a
 * generated config (1 s scrapes) and its TSDB in a temp dir, on a free port, waited for with
 * `/-/ready`. `query` reads one instant value through the HTTP API (`/api/v1/query`).
 */
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, lastLinesOf, startService, type RunningService } from '../../lab-engine/process.ts';

export const PROMETHEUS_FIX = 'apt-get install -y --no-install-recommends prometheus';

/** One scrape job: `job_name` and its targets (`host:port`), each with its own labels. */
export interface ScrapeJob {
  readonly job: string;
  readonly targets: readonly { readonly address: string; readonly labels?: Readonly<Record<string, string>> }[];
}

export interface PrometheusConfig {
  readonly jobs: readonly ScrapeJob[];
  /** Rule files to load (absolute paths). */
  readonly ruleFiles?: readonly string[];
  readonly scrapeIntervalS?: number;
  readonly evaluationIntervalS?: number;
}

/** prometheus.yml for `config` (YAML is a superset of JSON: the config is written as JSON). */
export function prometheusYaml(config: PrometheusConfig): string {
  const scrape = `${config.scrapeIntervalS ?? 1}s`;
  return `${JSON.stringify(
    {
      global: { scrape_interval: scrape, scrape_timeout: scrape, evaluation_interval: `${config.evaluationIntervalS ?? 5}s` },
      rule_files: config.ruleFiles ?? [],
      scrape_configs: config.jobs.map((j) => ({
        job_name: j.job,
        metrics_path: '/metrics',
        static_configs: j.targets.map((t) => ({ targets: [t.address], labels: { ...(t.labels ?? {}) } })),
      })),
    },
    null,
    2,
  )}\n`;
}

/** The Prometheus binary: $PROMETHEUS_BIN, `prometheus` on PATH, or /usr/bin/prometheus; undefined when none. */
export function findPrometheus(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env['PROMETHEUS_BIN'], ...(env['PATH'] ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'prometheus')), '/usr/bin/prometheus'];
  for (const c of candidates) {
    if (!c) continue;
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

/** The SLO rule files of the services a rollout stack runs (tooling/rollout/rules). */
export function rolloutRuleFiles(root: string, services: readonly string[] = ['recommender', 'gateway']): string[] {
  const dir = path.join(root, 'tooling/rollout/rules');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => services.includes(f.replace(/\.ya?ml$/, '')))
    .sort()
    .map((f) => path.join(dir, f));
}

export interface RunningPrometheus {
  readonly baseUrl: string;
  /** One instant query: the first sample's value, null when the result is empty or not a number. */
  query(promql: string): Promise<number | null>;
  /**
   * Waits until every target has been scraped successfully (`up == 1`): Prometheus hands its
   * first targets to the scrapers about 5 s after it is ready, and the services may start later.
   */
  waitForTargets(count: number, deadlineMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export class RolloutError extends Error {}

/** The value of an instant-query answer's first sample; null for an empty vector, NaN or ±Inf. */
export function sampleValue(body: unknown): number | null {
  const data = (body as { status?: unknown; data?: { resultType?: unknown; result?: unknown } } | null) ?? {};
  if (data.status !== 'success') throw new RolloutError(`prometheus query failed: ${JSON.stringify(body).slice(0, 300)}`);
  const result = data.data?.result;
  let raw: unknown;
  if (data.data?.resultType === 'scalar') raw = (result as unknown[] | undefined)?.[1];
  else if (Array.isArray(result) && result.length > 0) raw = (result[0] as { value?: unknown[] }).value?.[1];
  if (typeof raw !== 'string') return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

export async function startPrometheus(config: PrometheusConfig, options: { readonly binary?: string; readonly deadlineMs?: number } = {}): Promise<RunningPrometheus> {
  const binary = options.binary ?? findPrometheus();
  if (!binary) throw new RolloutError(`prometheus not found (Debian 2.42 or newer): ${PROMETHEUS_FIX}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, prometheusYaml(config));
  const port = await freePort();
  const outcome = await startService({
    command: binary,
    args: [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    cwd: dir,
    healthPath: '/-/ready',
    port,
    deadlineMs: options.deadlineMs ?? 20_000,
  });
  if (outcome.status !== 'started') {
    rmSync(dir, { recursive: true, force: true });
    const said = outcome.status === 'exited' ? `exited with status ${String(outcome.code)}` : `was not ready within ${(options.deadlineMs ?? 20_000) / 1000} s (${outcome.lastError})`;
    throw new RolloutError(`prometheus ${said}: ${lastLinesOf(outcome.output, 5)}`);
  }
  const service: RunningService = outcome.service;
  const query = async (promql: string): Promise<number | null> => {
    const response = await fetch(`${service.baseUrl}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(3_000) });
    return sampleValue(await response.json());
  };
  return {
    baseUrl: service.baseUrl,
    query,
    async waitForTargets(count, deadlineMs = 20_000) {
      const deadline = performance.now() + deadlineMs;
      let up: number | null = null;
      while (performance.now() < deadline) {
        up = await query('count(up == 1)');
        if (up !== null && up >= count) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new RolloutError(`prometheus scraped ${up ?? 0} of ${count} targets within ${deadlineMs / 1000} s (see ${service.baseUrl}/targets)`);
    },
    async stop() {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
