/**
 * Lab 15's black-box probe: the real stack, `gateway-traced` in front of `recommender-traced`
 * (tooling/services/registry.ts): each on a free port, each writing its finished spans to a
 * file (`GATEWAY_TRACE_FILE`, `RECOMMENDER_TRACE_FILE`). The probe sends a W3C `traceparent`,
 * reads both files with tooling/e2e/traces.ts (README step 3 is its `buildTrees`) and asserts
 * ONE trace across the language boundary; then a deadline the recommender cannot meet, and auth.
 */
import assert from 'node:assert/strict';
import { defineProbes, type ProbeContext } from '../../../tooling/probes/probe.ts';
import { mintDevJwt } from '../../../tooling/probes/dev-jwt.ts';
import { expectProblemShape, RECOMMENDATIONS } from '../../../tooling/e2e/polyglot.ts';
import type { SpanRecord } from '../../../tooling/e2e/traces.ts';

type Traces = typeof import('../../../tooling/e2e/traces.ts');

/**
 * tooling/e2e/traces.ts loaded afresh on every check: it holds README step 3, and a module
 * imported once stays cached in the process (`check --watch`, kit verify's starter → solution).
 */
async function traces(): Promise<Traces> {
  const url = new URL('../../../tooling/e2e/traces.ts', import.meta.url);
  url.searchParams.set('load', `${process.hrtime.bigint()}`);
  return (await import(url.href)) as Traces;
}

/** Every span both services wrote so far. */
function spansOf(t: Traces, ctx: ProbeContext): SpanRecord[] {
  return [...ctx.services].flatMap(([name, url]) => t.readSpans(t.traceFileOf(name, url)));
}

/** Waits (up to 2 s) until both services wrote a span of `traceId`, then returns all spans. */
async function spansOfTrace(t: Traces, ctx: ProbeContext, traceId: string): Promise<SpanRecord[]> {
  return t.waitFor(
    () => spansOf(t, ctx),
    (all) => {
      const mine = all.filter((span) => span.traceId === traceId);
      return mine.some((span) => span.service === 'recommender') && mine.some((span) => span.service === 'gateway' && span.kind === 'SERVER');
    },
  );
}

export default defineProbes([
  {
    name: 'ONE trace: gateway SERVER → gateway gRPC CLIENT → recommender SERVER, parent-linked across runtimes (steps 1-3)',
    async run(ctx) {
      const t = await traces();
      const { traceparent, traceId, parentSpanId } = t.newTraceparent();
      const answer = await ctx.request('GET', RECOMMENDATIONS, undefined, { authorization: `Bearer ${mintDevJwt()}`, traceparent });
      assert.equal(answer.status, 200, `status ${answer.status}, want 200: ${answer.text.slice(0, 200)}`);
      const spans = await spansOfTrace(t, ctx, traceId);
      const server = t.assertOneTrace(spans, traceId, parentSpanId);
      assert.equal(server.attributes['rpc.grpc.status_code'], 0, `the recommender's span records gRPC status 0 (OK): ${JSON.stringify(server.attributes)}`);
    },
  },
  {
    name: 'a deadline is honoured end to end: 504 within the budget, and the recommender shed the work in the same trace',
    async run(ctx) {
      // recommender-traced looks each item up in 20 ms: 5 items need 100 ms; the call gets 120 − 50 (margin) = 70 ms.
      const budgetMs = 120;
      const t = await traces();
      const { traceparent, traceId, parentSpanId } = t.newTraceparent();
      const started = performance.now();
      const answer = await ctx.request('GET', RECOMMENDATIONS, undefined, { authorization: `Bearer ${mintDevJwt()}`, 'X-Request-Timeout-Ms': String(budgetMs), traceparent });
      const tookMs = performance.now() - started;
      expectProblemShape(answer, 504, 'deadline_too_short', `X-Request-Timeout-Ms: ${budgetMs} (the gateway must pass its deadline on; the recommender sheds what it cannot finish)`);
      assert.ok(tookMs < budgetMs + 150, `the 504 took ${Math.round(tookMs)} ms, more than the ${budgetMs} ms budget plus a margin`);
      const server = t.assertOneTrace(await spansOfTrace(t, ctx, traceId), traceId, parentSpanId);
      assert.equal(server.attributes['rpc.grpc.status_code'], 4, `the recommender's span records DEADLINE_EXCEEDED (4): ${JSON.stringify(server.attributes)}`);
      assert.equal(server.status, 'ERROR', 'the shed call is an ERROR span');
    },
  },
  {
    name: "auth is enforced through both runtimes: no token and a forged token are 401 at the edge; another user's data is a 403 from the recommender, still one trace",
    async run(ctx) {
      expectProblemShape(await ctx.request('GET', RECOMMENDATIONS), 401, 'unauthenticated', 'no token (refused at the edge)');
      const forged = mintDevJwt({}, { secret: 'an-attacker-secret-that-is-long-enough-1234' }); // gitleaks:allow (a test's forged key, not a secret)
      expectProblemShape(await ctx.request('GET', RECOMMENDATIONS, undefined, { authorization: `Bearer ${forged}` }), 401, 'token_invalid', 'a forged token (refused at the edge, before the budget)');
      // A valid token for u-1 asking for u-2 passes the edge and is refused by the recommender:
      // the refusal is still ONE trace across both runtimes.
      const t = await traces();
      const { traceparent, traceId, parentSpanId } = t.newTraceparent();
      const otherUser = RECOMMENDATIONS.replace('/users/u-1/', '/users/u-2/');
      expectProblemShape(await ctx.request('GET', otherUser, undefined, { authorization: `Bearer ${mintDevJwt()}`, traceparent }), 403, 'user_mismatch', "u-1's token asking for u-2 (refused by the recommender)");
      const server = t.assertOneTrace(await spansOfTrace(t, ctx, traceId), traceId, parentSpanId);
      assert.equal(server.attributes['rpc.grpc.status_code'], 7, `the recommender's span records PERMISSION_DENIED (7): ${JSON.stringify(server.attributes)}`);
    },
  },
]);
