/**
 * The outbox's promise under crashes: concurrent clients write products through the HTTP API
 * while the service (with its relay) and the broker are SIGKILLed and restarted at seeded random
 * points. Afterwards every committed product must have exactly one consumer effect
 * (`product_feed.applied = 1`): 0 lost, 0 duplicated. The seed is printed in the figures, and
 * `pnpm reliability --seed N` replays the same kill schedule.
 *
 * A client whose answer was lost in a kill retries the same request with the same
 * Idempotency-Key: the catalog answers the first 201 again if the first attempt committed, so
 * every write ends in exactly one 201 and any 409 is counted as a broken promise. The database is
 * read directly at the end (node:sqlite, psql): the product rows are what was committed, whatever
 * the clients heard.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { freePort, lastLinesOf, startService, type RunningService, type ServiceSpec } from '../lab-engine/process.ts';
import { startPostgres } from '../services/postgres.ts';
import { natsUrl, services } from '../services/registry.ts';
import type { Figure } from './figures.ts';

/** A small seeded generator (mulberry32): the same seed, the same schedule. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface KillPlan {
  readonly seed: number;
  readonly writes: number;
  readonly clients: number;
  readonly kills: number;
}

/** When (after how many committed writes) to kill what: every victim at least once, in seeded order. */
export function killSchedule(plan: KillPlan, victims: readonly string[]): { at: number; victim: string; downMs: number }[] {
  const random = seeded(plan.seed);
  const names = Array.from({ length: plan.kills }, (_, i) => victims[i % victims.length] ?? '');
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [names[i], names[j]] = [names[j] ?? '', names[i] ?? ''];
  }
  // Spread over the middle 80 % of the writes, strictly increasing.
  const ats = names.map(() => Math.floor(plan.writes * (0.1 + 0.8 * random()))).sort((x, y) => x - y);
  return names.map((victim, i) => ({ at: ats[i] ?? 0, victim, downMs: 100 + Math.floor(random() * 700) }));
}

/** A restartable process: its spec (kept, so a restart reuses the same port and store) and the running instance. */
class Restartable {
  running: RunningService | undefined;
  readonly name: string;
  readonly spec: ServiceSpec;
  constructor(name: string, spec: ServiceSpec) {
    this.name = name;
    this.spec = spec;
  }
  async start(): Promise<void> {
    const outcome = await startService({ ...this.spec, deadlineMs: 60_000 });
    if (outcome.status !== 'started') {
      const why = outcome.status === 'exited' ? `exited with ${String(outcome.code)}` : `not healthy (${outcome.lastError})`;
      throw new Error(`${this.name} ${why}:\n${lastLinesOf(outcome.output, 8)}`);
    }
    this.running = outcome.service;
  }
  async kill(): Promise<void> {
    await this.running?.kill();
    this.running = undefined;
  }
  async stop(): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
  }
}

/** Where the catalog keeps its rows during a kill loop, and how the outcome is read from it. */
export interface KillLoopStore {
  readonly kind: 'SQLite' | 'PostgreSQL';
  /** A SQLite file path, or a PostgreSQL DSN (`postgres://…/db`). */
  readonly location: string;
  outcome(): Promise<Outcome>;
  close(): Promise<void>;
}

export interface KillLoopTarget {
  readonly service: string;
  /** The processes, in start order (after the broker), each with the broker's URL and the store. */
  readonly processes: (root: string, tools: ReadonlyMap<string, string>, ports: { broker: number; service: number }, brokerUrl: string, store: KillLoopStore) => [string, ServiceSpec][];
}

/** The Go catalog: its relay and consumer run in the service's process. */
export const goCatalogKillLoop: KillLoopTarget = {
  service: 'go-catalog',
  processes: (root, tools, ports, brokerUrl, store) => {
    const catalog = services['go-catalog']?.spec(root, ports.service, tools, new Map());
    if (!catalog) throw new Error('registry: no go-catalog');
    const db = store.kind === 'SQLite' ? `sqlite:${store.location}` : store.location;
    // A short ack wait: what the killed process had fetched comes back 2 s later, not 30 s.
    return [['service', { ...catalog, env: { ...catalog.env, CATALOG_DB: db, CATALOG_BROKER_URL: brokerUrl, CATALOG_BROKER_ACK_WAIT_MS: '2000' } }]];
  },
};

/**
 * The Python catalog: the HTTP service runs its relay and product-feed consumer in-process with
 * CATALOG_BROKER_URL, and `python -m catalog.relay` runs beside it as a deployment's separate
 * relay would (both publish with the message id as Nats-Msg-Id and share the durable consumer:
 * the broker drops the second copy, the consumers split the work).
 */
export const pythonCatalogKillLoop: KillLoopTarget = {
  service: 'python-catalog',
  processes: (root, tools, ports, brokerUrl, store) => {
    const catalog = services['python-catalog']?.spec(root, ports.service, tools, new Map());
    if (!catalog) throw new Error('registry: no python-catalog');
    const db = store.kind === 'SQLite' ? `sqlite:///${store.location}` : store.location;
    const env = { ...catalog.env, CATALOG_DATABASE_URL: db, CATALOG_BROKER_URL: brokerUrl, CATALOG_BROKER_ACK_WAIT_MS: '2000' };
    // The relay has no port of its own: it is "up" once the catalog answers (a dummy health wait
    // on the catalog's port), and its crash and restart are what the loop exercises.
    const relay: ServiceSpec = { ...catalog, args: ['-m', 'catalog.relay'], env, healthPath: '/healthz' };
    return [
      ['service', { ...catalog, env }],
      ['relay', relay],
    ];
  },
};

/** A SQLite file in `dir`, read with node:sqlite. */
export function sqliteStore(dir: string): KillLoopStore {
  const file = path.join(dir, 'catalog.db');
  return { kind: 'SQLite', location: file, outcome: () => Promise.resolve(readOutcome(file)), close: () => Promise.resolve() };
}

/** A database on a throw-away local PostgreSQL server, read with psql. */
export async function postgresStore(root: string): Promise<KillLoopStore> {
  const pg = await startPostgres(root);
  try {
    await pg.sql('postgres', 'CREATE DATABASE kill_loop');
  } catch (error) {
    await pg.stop();
    throw error;
  }
  return {
    kind: 'PostgreSQL',
    location: pg.dsn('kill_loop'),
    close: () => pg.stop(),
    outcome: async () => {
      // The tables exist once the service has migrated: before that nothing is committed.
      const [products, feed, pending] = await Promise.all([
        pg.sql('kill_loop', 'SELECT id FROM products'),
        pg.sql('kill_loop', 'SELECT product_id, applied FROM product_feed'),
        pg.sql('kill_loop', 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL'),
      ]);
      return outcomeOf(
        products,
        feed.map((line) => line.split('\t')).map(([id, applied]) => [id ?? '', Number(applied)]),
        Number(pending[0] ?? 0),
      );
    },
  };
}

async function postProduct(baseUrl: string, sku: string): Promise<number | 'down'> {
  try {
    const response = await fetch(`${baseUrl}/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `key-${sku}` },
      body: JSON.stringify({ sku, name: `Kill-loop ${sku}`, price: { amount_minor: 100, currency: 'EUR' } }),
      signal: AbortSignal.timeout(5_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 'down';
  }
}

export interface Outcome {
  products: number;
  lost: string[];
  duplicated: number;
  pending: number;
}

/** Lost: a committed product without its effect; duplicated: every application past the first. */
export function outcomeOf(products: readonly string[], feedRows: readonly (readonly [string, number])[], pending: number): Outcome {
  const feed = new Map(feedRows);
  return {
    products: products.length,
    lost: products.filter((id) => (feed.get(id) ?? 0) < 1),
    duplicated: products.reduce((sum, id) => sum + Math.max((feed.get(id) ?? 0) - 1, 0), 0),
    pending,
  };
}

export function readOutcome(dbFile: string): Outcome {
  const db = new DatabaseSync(dbFile, { readOnly: true });
  try {
    // The service may be writing (the Python catalog's SQLite is not in WAL mode): wait, don't fail.
    db.exec('PRAGMA busy_timeout = 10000');
    const products = (db.prepare('SELECT id FROM products').all() as { id: string }[]).map((r) => r.id);
    const feed = (db.prepare('SELECT product_id, applied FROM product_feed').all() as { product_id: string; applied: number }[]).map((r) => [r.product_id, r.applied] as const);
    const pending = (db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number }).n;
    return outcomeOf(products, feed, pending);
  } finally {
    db.close();
  }
}

/** Runs the plan against `target`; the figures say what was lost and duplicated, and how to replay it. */
export async function killLoop(root: string, tools: ReadonlyMap<string, string>, target: KillLoopTarget, storeKind: KillLoopStore['kind'], plan: KillPlan, log: (line: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kill-loop-'));
  let store: KillLoopStore;
  try {
    store = storeKind === 'SQLite' ? sqliteStore(dir) : await postgresStore(root);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const label = `${target.service} (${store.kind})`;
  const ports = { broker: await freePort(), service: await freePort() };
  const brokerSpec = services['nats']?.spec(root, ports.broker, tools, new Map());
  if (!brokerSpec) throw new Error('registry: no nats');
  const brokerUrl = natsUrl(`http://127.0.0.1:${String(ports.broker)}`);
  const procs = [new Restartable('broker', brokerSpec), ...target.processes(root, tools, ports, brokerUrl, store).map(([name, spec]) => new Restartable(name, spec))];
  const byName = new Map(procs.map((p) => [p.name, p]));
  const schedule = killSchedule(plan, procs.map((p) => p.name));
  const baseUrl = `http://127.0.0.1:${String(ports.service)}`;
  let committed = 0;
  let serverErrors = 0;
  const refusedRetries: string[] = [];
  const kills: string[] = [];
  try {
    for (const p of procs) await p.start();
    // The writers may run only a little past the next planned kill until it has happened: so
    // each kill lands near its planned point with writes in flight (a kill of a quiet process
    // proves little: the relay's window is while it works), and each victim is back before the
    // next kill. Writes go on while a victim is down (a broker outage must not stop them; a
    // service outage makes them retry).
    const lookahead = 2 * plan.clients;
    let next = 0;
    let gate = (schedule[0]?.at ?? plan.writes) + lookahead;
    const killer = (async () => {
      for (const [i, step] of schedule.entries()) {
        while (committed < step.at) await new Promise((r) => setTimeout(r, 5));
        const victim = byName.get(step.victim);
        if (!victim) continue;
        await victim.kill();
        kills.push(`${step.victim}@${String(committed)}`);
        gate = (schedule[i + 1]?.at ?? plan.writes) + lookahead;
        await new Promise((r) => setTimeout(r, step.downMs));
        await victim.start();
      }
    })();
    const writer = async (): Promise<void> => {
      for (;;) {
        while (next >= gate && next < plan.writes) await new Promise((r) => setTimeout(r, 5));
        const n = next++;
        if (n >= plan.writes) return;
        const sku = `KL-${String(plan.seed)}-${String(n)}`;
        for (;;) {
          const status = await postProduct(baseUrl, sku);
          if (status === 201) break; // committed, now or by an attempt whose answer was lost (replayed)
          if (status === 409) {
            refusedRetries.push(sku); // the retry of a committed write must be replayed, not refused
            break;
          }
          if (status !== 'down' && status >= 500) serverErrors++;
          await new Promise((r) => setTimeout(r, 50));
        }
        committed++;
      }
    };
    await Promise.all([...Array.from({ length: plan.clients }, writer), killer]);
    // A process that died on its own (not killed by the loop) would make the figures lie.
    for (const p of procs) {
      const alive = await Promise.race([p.running?.exited.then(() => false) ?? Promise.resolve(false), new Promise<boolean>((r) => setTimeout(() => r(true), 50))]);
      if (!alive) throw new Error(`${p.name} exited on its own during the kill loop:\n${lastLinesOf(p.running?.output() ?? '', 8)}`);
    }
    // Everything is back: wait for the relay and the consumer to catch up (bounded).
    const deadline = performance.now() + 60_000;
    let outcome = await store.outcome();
    while ((outcome.pending > 0 || outcome.lost.length > 0) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      outcome = await store.outcome();
    }
    log(`reliability: kill loop ${label}: seed ${String(plan.seed)}, kills ${kills.join(' ')}`);
    const replay = `seed ${String(plan.seed)} (replay: pnpm reliability --seed ${String(plan.seed)}); kills ${kills.join(' ')}`;
    return [
      { target: label, measure: 'events lost', value: outcome.lost.length, unit: 'count', max: 0, detail: `${String(outcome.products)} products committed by ${String(plan.clients)} clients; ${replay}` },
      { target: label, measure: 'duplicated effects', value: outcome.duplicated, unit: 'count', max: 0, detail: `${String(outcome.pending)} outbox rows still pending` },
      { target: label, measure: 'kills survived', value: kills.length, unit: 'count', detail: `of ${String(plan.kills)} planned: ${procs.map((p) => p.name).join(', ')}` },
      { target: label, measure: '5xx on writes during kills', value: serverErrors, unit: 'count', max: 0 },
      { target: label, measure: 'retries refused (409) instead of replayed', value: refusedRetries.length, unit: 'count', max: 0, detail: refusedRetries.slice(0, 3).join(' ') },
    ];
  } finally {
    for (const p of [...procs].reverse()) await p.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
