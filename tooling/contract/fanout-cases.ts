/**
 * The product-details fan-out, black-box, written once: both catalogs with their upstreams over
 * HTTP (`python-catalog-fanout`, `go-catalog-fanout`, whose upstreams are `python -m
 * upstream_sim`) must answer it; lab 2 and lab 7 probe with it. Each case sets the simulator's
 * behaviour with `PUT /_sim/config`, then times `GET /products/{id}` against the budgets the
 * catalog runs with (`catalogFanoutBudgets`). README step numbers are the same in both labs:
 * 1 concurrency, 2 per-call timeout, 3 deadline, 4 shared bound.
 *
 * The bound is what the upstream serves at once: the simulator counts a call until its answer
 * is sent or it sees the connection end, so a call the catalog gave up on holds its permit
 * until the upstream has let go (DESIGN.md, 2026-12-07, "What the bulkhead bounds"). Every
 * case starts alone: `configure` waits until no call of an earlier case is in flight, then
 * resets the configuration and the counters.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { defineProbes, type ProbeCase, type ProbeContext } from '../probes/probe.ts';
import { catalogFanoutBudgets as budgets } from '../services/registry.ts';


interface Details {
  id: string;
  sku: string;
  name: string;
  price: unknown;
  pricing: unknown;
  inventory: unknown;
  reviews: unknown;
  degraded: { upstream: string; reason: string }[];
}

function sim(ctx: ProbeContext): string {
  const url = ctx.services.get('upstream-sim');
  assert.ok(url, 'the upstream simulator was not started (registry: a *-catalog-fanout service needs upstream-sim)');
  return url;
}

async function configure(ctx: ProbeContext, config: Record<string, unknown>): Promise<void> {
  // An earlier case's calls may still be ending (e.g. the 3 s upstream the timeout case gave
  // up on): wait for the simulator to be idle, on its own status, before measuring anything.
  const idle = await ctx.request('GET', `${sim(ctx)}/_sim/idle?within_ms=5000`);
  assert.equal(idle.status, 200, `calls of an earlier case were still in flight at the simulator after 5 s (${idle.text.slice(0, 200)}): a call given up on must end its connection`);
  const answer = await ctx.request('PUT', `${sim(ctx)}/_sim/config`, config);
  assert.equal(answer.status, 200, `PUT /_sim/config: ${answer.text.slice(0, 200)}`);
}

let counter = 0;
async function newProduct(ctx: ProbeContext): Promise<string> {
  counter += 1;
  const body = { sku: `FAN-${process.pid % 10000}-${counter}`, name: 'Fan-out mug', price: { amount_minor: 900, currency: 'EUR' } };
  const answer = await ctx.request('POST', '/products', body);
  assert.equal(answer.status, 201, `POST /products: ${answer.text.slice(0, 200)}`);
  return (answer.json as { id: string }).id;
}

async function timedGet(ctx: ProbeContext, id: string, TODO: string): Promise<{ body: Details; ms: number }> {
  const started = performance.now();
  const answer = await ctx.request('GET', `/products/${id}`);
  const ms = performance.now() - started;
  assert.equal(answer.status, 200, `GET /products/{id} must answer 200 even when upstreams are late or down; got ${answer.status}: ${answer.text.slice(0, 200)} (${TODO})`);
  return { body: answer.json as Details, ms };
}

const slow = (ms: number) => ({ latency_ms: ms });

/** The pointer a failure message ends with, naming where the learner's work is. */
export interface FanoutOptions {
  readonly todo: string;
}

/** The fan-out cases every catalog with upstreams answers (its service must need `upstream-sim`). */
export function fanoutContract({ todo: TODO }: FanoutOptions): ProbeCase[] {
  return defineProbes([
  {
    name: 'all upstreams fast: a complete answer, contract fields unchanged',
    async run(ctx) {
      await configure(ctx, {});
      const id = await newProduct(ctx);
      await timedGet(ctx, id, TODO); // warm up the catalog's connections to the simulator
      const { body } = await timedGet(ctx, id, TODO);
      assert.equal(body.id, id, 'the contract fields stay as they are');
      assert.deepEqual(body.degraded, [], `no upstream was late, yet degraded=${JSON.stringify(body.degraded)} (${TODO})`);
      for (const part of ['pricing', 'inventory', 'reviews'] as const) {
        assert.ok(body[part] && typeof body[part] === 'object', `"${part}" must be an object when its upstream answered (${TODO})`);
      }
    },
  },
  {
    name: 'an unknown product is 404 and no upstream is asked',
    async run(ctx) {
      await configure(ctx, {});
      const answer = await ctx.request('GET', '/products/00000000-0000-4000-8000-000000000000');
      assert.equal(answer.status, 404);
      const stats = (await ctx.request('GET', `${sim(ctx)}/_sim/stats`)).json as { calls: Record<string, number> };
      assert.deepEqual(stats.calls, { pricing: 0, inventory: 0, reviews: 0 }, 'look the product up first; fan out only for a product that exists');
    },
  },
  {
    name: `one upstream slower than its ${budgets.callTimeoutMs} ms timeout: the answer comes at the timeout, that part "timeout"`,
    async run(ctx) {
      await configure(ctx, { inventory: slow(3000) });
      const { body, ms } = await timedGet(ctx, await newProduct(ctx), TODO);
      assert.ok(ms < budgets.callTimeoutMs + 200, `the answer took ${Math.round(ms)} ms; a call must be cut at its ${budgets.callTimeoutMs} ms timeout (${TODO}, step 2)`);
      assert.ok(ms >= budgets.callTimeoutMs - 20, `the answer took ${Math.round(ms)} ms, before the ${budgets.callTimeoutMs} ms timeout could pass`);
      assert.deepEqual(body.degraded, [{ upstream: 'inventory', reason: 'timeout' }], `expected inventory degraded "timeout" (${TODO}, step 2)`);
      assert.equal(body.inventory, null, 'a degraded part is null');
      assert.ok(body.pricing && body.reviews, 'the parts that answered are kept');
      // The call given up on ended at the upstream before the answer left (it only has to take
      // in the close that already reached it): the permit was held until then.
      const left = await ctx.request('GET', `${sim(ctx)}/_sim/idle?within_ms=1000`);
      assert.equal(left.status, 200, `the answer came, yet the upstream still serves the inventory call given up on (${left.text.slice(0, 100)}): a call given up on must close its connection and keep its permit until the upstream has let go (${TODO}, steps 2 and 4)`);
    },
  },
  {
    name: 'one upstream failing: that part "error", the others kept',
    async run(ctx) {
      await configure(ctx, { pricing: { failure_rate: 1 } });
      const { body } = await timedGet(ctx, await newProduct(ctx), TODO);
      assert.deepEqual(body.degraded, [{ upstream: 'pricing', reason: 'error' }], `expected pricing degraded "error" (${TODO})`);
      assert.equal(body.pricing, null, 'a degraded part is null');
      assert.ok(body.inventory && body.reviews, 'the parts that answered are kept');
    },
  },
  {
    name: 'three upstreams at 250 ms each: about 250 ms in total, not 750',
    async run(ctx) {
      await configure(ctx, { pricing: slow(250), inventory: slow(250), reviews: slow(250) });
      const { body, ms } = await timedGet(ctx, await newProduct(ctx), TODO);
      assert.ok(ms < 450, `the answer took ${Math.round(ms)} ms: the upstreams were asked one after another (${TODO}, step 1)`);
      assert.deepEqual(body.degraded, [], 'nothing was late');
    },
  },
  {
    name: `five requests at once through a bound of ${budgets.maxConcurrency}: every answer by the ${budgets.deadlineMs} ms deadline, the bound held`,
    async run(ctx) {
      const id = await newProduct(ctx);
      await configure(ctx, { pricing: slow(250), inventory: slow(250), reviews: slow(250) });
      const answers = await Promise.all(Array.from({ length: 5 }, () => timedGet(ctx, id, TODO)));
      const slowest = Math.max(...answers.map((a) => a.ms));
      assert.ok(slowest < budgets.deadlineMs + 150, `an answer took ${Math.round(slowest)} ms, past the ${budgets.deadlineMs} ms deadline (${TODO}, step 3)`);
      const reasons = answers.flatMap((a) => a.body.degraded.map((d) => d.reason));
      assert.ok(reasons.includes('deadline'), `15 calls of 250 ms, ${budgets.maxConcurrency} at a time, cannot all finish by ${budgets.deadlineMs} ms: some parts must be degraded "deadline", got ${JSON.stringify(reasons)} (${TODO}, steps 3-4)`);
      const stats = (await ctx.request('GET', `${sim(ctx)}/_sim/stats`)).json as { peak_in_flight_total: number };
      assert.ok(stats.peak_in_flight_total <= budgets.maxConcurrency, `${stats.peak_in_flight_total} upstream calls ran at once; the bound is ${budgets.maxConcurrency} for all requests together (${TODO}, step 4)`);
      await configure(ctx, {});
    },
  },
]);
}
