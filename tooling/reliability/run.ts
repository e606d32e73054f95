/**
 * `pnpm reliability`: starts each reference service as an outside tester meets it (free ports,
 * loopback only), measures it under abuse, and stops it. One target at a time, one section at a
 * time, so one measurement does not disturb another; everything started is stopped, also when a
 * section fails.
 */
import { mintDevJwt } from '../probes/dev-jwt.ts';
import { serviceTools, startStack } from '../services/start.ts';
import { abuse, catalogCases, gatewayCases } from './abuse.ts';
import { reportOf, type Figure, type ReliabilityReport, type SectionOutcome } from './figures.ts';
import { goCatalogKillLoop, killLoop, pythonCatalogKillLoop, type KillLoopTarget } from './kill-loop.ts';
import { oversizedBodies } from './memory.ts';
import { overload } from './overload.ts';
import { slowClients } from './slow-clients.ts';
import { tokensOnRecommender, tokensThroughGateway } from './tokens.ts';

/** The edge limits both catalogs and the gateway promise (catalog limits.py / body.go / serve.go). */
export const EDGE_LIMITS = { headMs: 5_000, bodyMs: 10_000 } as const;

/**
 * How much resident memory may grow under 8 × 64 MiB oversized bodies: each connection may hold
 * one 1 MiB body and the server's buffers, never what the client sends. Measured 2026-12-08: the
 * Python catalog +16 MiB over 82 MiB idle, the Go catalog +7 MiB over 53 MiB; a service that
 * reads bodies whole grows by hundreds of MiB (issue 14: 100 MB → 295 MB peak).
 */
export const MAX_GROWTH_MIB = 64;

/** The kill loop's size (issue 14: N ≥ 200 writes, K ≥ 3 kills); the seed comes from the run. */
export const KILL_PLAN = { writes: 200, clients: 4, kills: 4 } as const;

export interface RunOptions {
  /** The kill loops' seed (printed; `--seed N` replays a run). */
  readonly seed: number;
}

interface Target {
  readonly service: string;
  /** Kill loops: they start (and kill) their own processes, before the stack is started. */
  readonly killLoops?: readonly KillLoopTarget[];
  /** The sections, given the started stack's URLs and the main service's process group. */
  readonly sections: (root: string, urls: ReadonlyMap<string, string>, main: { baseUrl: string; pid: number | undefined }) => [string, () => Promise<Figure[]>][];
}

/** One product to read under load; its id. */
async function createProduct(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/products`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: `OVERLOAD-${String(Date.now())}`, name: 'Overload mug', price: { amount_minor: 999, currency: 'EUR' } }),
  });
  const body = (await response.json()) as { id?: unknown };
  if (response.status !== 201 || typeof body.id !== 'string') throw new Error(`POST /products answered ${String(response.status)}`);
  return body.id;
}

function catalog(service: string): Target {
  return {
    service,
    sections: (_root, _urls, main) => [
      ['bad input', () => abuse(service, Number(new URL(main.baseUrl).port), catalogCases(), '/healthz')],
      ['slow clients', () => slowClients(service, main.baseUrl, { ...EDGE_LIMITS, bodyTarget: 'POST /products' })],
      ['oversized bodies', () => oversizedBodies(service, main.pid, main.baseUrl, '/products', { maxGrowthMiB: MAX_GROWTH_MIB, opening: '{"sku":"R-1","name":"' })],
      ['overload', async () => overload(service, main.pid, new URL(`/products/${await createProduct(main.baseUrl)}`, main.baseUrl))],
    ],
  };
}

const gateway: Target = {
  service: 'gateway',
  sections: (root, urls, main) => [
    ['tokens', () => tokensThroughGateway(main.baseUrl)],
    ['tokens', () => tokensOnRecommender(root, urls.get('recommender') ?? '')],
    ['bad input', () => abuse('gateway', Number(new URL(main.baseUrl).port), gatewayCases(`Bearer ${mintDevJwt()}`), '/healthz')],
    ['slow clients', () => slowClients('gateway', main.baseUrl, { ...EDGE_LIMITS, bodyTarget: 'POST /feedback' })],
    ['overload', () => overload('gateway', main.pid, new URL('/users/u-1/recommendations?language=es', main.baseUrl), { authorization: `Bearer ${mintDevJwt()}` })],
    ['oversized bodies', () => oversizedBodies('gateway', main.pid, main.baseUrl, '/feedback', { maxGrowthMiB: MAX_GROWTH_MIB, opening: '{"user_id":"u-1","kind":"clicked","item_id":"' })],
  ],
};

export const TARGETS: Readonly<Record<string, Target>> = {
  'python-catalog': { ...catalog('python-catalog'), killLoops: [pythonCatalogKillLoop] },
  'go-catalog': { ...catalog('go-catalog'), killLoops: [goCatalogKillLoop] },
  gateway,
};

/** Runs every section of every named target; a section that throws is reported, never skipped. */
export async function runReliability(root: string, names: readonly string[], options: RunOptions, log: (line: string) => void): Promise<ReliabilityReport> {
  const started = performance.now();
  const outcomes: SectionOutcome[] = [];
  for (const name of names) {
    const target = TARGETS[name];
    if (!target) throw new Error(`unknown target '${name}'`);
    const { tools, missing } = serviceTools(root, [target.service, ...(target.killLoops ? ['nats'] : [])]);
    if (missing.length > 0) {
      outcomes.push({ section: name, error: `needs ${missing.join(', ')}: not found — run npm run bootstrap` });
      continue;
    }
    for (const loop of target.killLoops ?? []) {
      for (const store of ['SQLite', 'PostgreSQL'] as const) {
        const t0 = performance.now();
        try {
          outcomes.push({ section: 'kill loop', figures: await killLoop(root, tools, loop, store, { ...KILL_PLAN, seed: options.seed }, log) });
          log(`reliability: ${loop.service} (${store}) kill loop measured in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        } catch (error) {
          outcomes.push({ section: `kill loop (${loop.service}, ${store})`, error: error instanceof Error ? error.message : String(error) });
        }
      }
    }
    log(`reliability: starting ${target.service}`);
    const stack = await startStack(root, target.service, tools, 60_000);
    if (stack.status !== 'started') {
      outcomes.push({ section: name, error: `${stack.service} did not start: ${stack.message}` });
      continue;
    }
    try {
      for (const [section, measure] of target.sections(root, stack.urls, stack.main)) {
        const t0 = performance.now();
        try {
          outcomes.push({ section, figures: await measure() });
          log(`reliability: ${name} ${section} measured in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        } catch (error) {
          outcomes.push({ section: `${section} (${name})`, error: error instanceof Error ? error.message : String(error) });
        }
      }
    } finally {
      await stack.stop();
    }
  }
  return reportOf(outcomes, performance.now() - started);
}
