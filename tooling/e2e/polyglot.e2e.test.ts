/**
 * The polyglot end-to-end test (issue 6): the Python recommender and the Go gateway started as
 * real processes on free ports (`gateway-traced` of tooling/services/registry.ts, which starts
 * `recommender-traced` first and gives both a span file), driven over HTTP from here:
 *
 * - auth enforced: no token and a forged token are 401, a valid dev token 200;
 * - a deadline honoured end to end: a budget the recommender cannot cover is a 504 within the
 *   budget (plus a margin), and the recommender SHED the work (its span says DEADLINE_EXCEEDED);
 * - ONE trace: a W3C `traceparent` sent here continues through the gateway's server and gRPC
 *   client spans into the recommender's server span, parent-linked across the language boundary;
 * - error-envelope parity: the gateway's problem+json has the catalogs' shape.
 *
 * No upstream simulator: the recommender's model is in-process and the gateway calls nothing
 * but the recommender, so neither service has an HTTP upstream to simulate. The Python and Go
 * catalogs are started only for the envelope comparison.
 * Runs in `pnpm test` as the `ts: e2e (polyglot)` gate (alone: it starts four services).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { httpContext, type HttpAnswer, type ProbeContext } from '../probes/probe.ts';
import { toolsOfService, tracedScoreDelayMs } from '../services/registry.ts';
import { startStack, type StackOutcome } from '../services/start.ts';
import { findTool } from '../toolchain/tools.ts';
import { mintDevJwt } from '../probes/dev-jwt.ts';
import { expectProblemShape, RECOMMENDATIONS } from './polyglot.ts';
import { assertOneTrace, newTraceparent, readSpans, traceFileOf, waitFor, type SpanRecord } from './traces.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function start(service: string): Promise<StackOutcome & { status: 'started' }> {
  const tools = new Map<string, string>();
  for (const name of toolsOfService(service)) {
    const found = findTool(root, name);
    if (!found) throw new Error(`${service} needs ${name}: not found — run npm run bootstrap`);
    tools.set(name, found);
  }
  // A cold `go run` compiles first; give it longer than a warm start needs.
  const stack = await startStack(root, service, tools, 50_000);
  if (stack.status !== 'started') throw new Error(`${service} did not start: ${stack.message}`);
  return stack;
}

describe('polyglot E2E: Go gateway → Python recommender', () => {
  const stacks: (StackOutcome & { status: 'started' })[] = [];
  let gateway: ProbeContext;
  let catalogs: [string, ProbeContext][] = [];
  let spanFiles: string[] = [];
  const spans = (): SpanRecord[] => spanFiles.flatMap(readSpans);

  beforeAll(async () => {
    const started = await Promise.allSettled([start('gateway-traced'), start('python-catalog'), start('go-catalog')]);
    for (const outcome of started) if (outcome.status === 'fulfilled') stacks.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const [traced, python, go] = stacks as [StackOutcome & { status: 'started' }, StackOutcome & { status: 'started' }, StackOutcome & { status: 'started' }];
    gateway = httpContext(traced.main.baseUrl, traced.urls);
    catalogs = [
      ['python-catalog', httpContext(python.main.baseUrl)],
      ['go-catalog', httpContext(go.main.baseUrl)],
    ];
    spanFiles = [...traced.urls].map(([name, url]) => traceFileOf(name, url));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.stop()));
    for (const file of spanFiles) rmSync(file, { force: true });
  });

  describe('auth is enforced end to end', () => {
    it('no Authorization header is a 401 at the edge', async () => {
      expectProblemShape(await gateway.request('GET', RECOMMENDATIONS), 401, 'unauthenticated', 'no token');
    });

    it('a token signed with another secret is a 401 (the edge verifies before the budget; the recommender again)', async () => {
      const forged = mintDevJwt({}, { secret: 'an-attacker-secret-that-is-long-enough-1234' }); // gitleaks:allow (a test's forged key, not a secret)
      expectProblemShape(await gateway.request('GET', RECOMMENDATIONS, undefined, { authorization: `Bearer ${forged}` }), 401, 'token_invalid', 'a forged token');
    });

    it("a token for u-1 cannot read u-2's recommendations nor record feedback as u-2: 403 user_mismatch", async () => {
      const asU1 = { authorization: `Bearer ${mintDevJwt()}` };
      expectProblemShape(await gateway.request('GET', RECOMMENDATIONS.replace('/users/u-1/', '/users/u-2/'), undefined, asU1), 403, 'user_mismatch', "u-1 reading u-2");
      const feedback = { user_id: 'u-2', item_id: 'es-01', kind: 'dismissed' };
      expectProblemShape(await gateway.request('POST', '/feedback', feedback, { ...asU1, 'Idempotency-Key': 'e2e-cross-user-1' }), 403, 'user_mismatch', 'u-1 recording feedback as u-2');
    });

    it('a valid dev token gets five recommendations', async () => {
      const answer = await gateway.request('GET', RECOMMENDATIONS, undefined, { authorization: `Bearer ${mintDevJwt()}` });
      assert.equal(answer.status, 200, `status ${answer.status}: ${answer.text.slice(0, 200)}`);
      const body = answer.json as { recommendations?: unknown[] };
      assert.equal(body.recommendations?.length, 5, answer.text.slice(0, 200));
    });
  });

  it('a deadline is honoured end to end: 504 within the budget, the recommender shed the work', async () => {
    // 5 items × tracedScoreDelayMs (20 ms) = 100 ms of work; the call gets 120 − 50 (margin) = 70 ms.
    const budgetMs = 120;
    const { traceparent, traceId } = newTraceparent();
    const started = performance.now();
    const answer = await gateway.request('GET', RECOMMENDATIONS, undefined, { authorization: `Bearer ${mintDevJwt()}`, 'X-Request-Timeout-Ms': String(budgetMs), traceparent });
    const tookMs = performance.now() - started;
    expectProblemShape(answer, 504, 'deadline_too_short', `X-Request-Timeout-Ms: ${budgetMs} with ${tracedScoreDelayMs} ms per item`);
    assert.ok(tookMs < budgetMs + 150, `the 504 took ${Math.round(tookMs)} ms: more than the ${budgetMs} ms budget plus a margin`);
    const found = await waitFor(spans, (all) => all.some((span) => span.traceId === traceId && span.service === 'recommender'));
    const shed = found.find((span) => span.traceId === traceId && span.service === 'recommender' && span.kind === 'SERVER');
    assert.ok(shed, `no recommender span in trace ${traceId}`);
    assert.equal(shed.attributes['rpc.grpc.status_code'], 4, `the recommender's span should end DEADLINE_EXCEEDED (4): ${JSON.stringify(shed.attributes)}`);
    assert.equal(shed.attributes['error.reason'], 'DEADLINE_TOO_SHORT', 'the recommender shed the work before doing it');
    assert.equal(shed.status, 'ERROR');
  });

  it('ONE trace id: gateway server → gateway gRPC client → recommender server, parent-linked across runtimes', async () => {
    const { traceparent, traceId, parentSpanId } = newTraceparent();
    const answer = await gateway.request('GET', RECOMMENDATIONS, undefined, { authorization: `Bearer ${mintDevJwt()}`, traceparent });
    assert.equal(answer.status, 200, answer.text.slice(0, 200));
    const found = await waitFor(spans, (all) => {
      const inTrace = all.filter((span) => span.traceId === traceId);
      return inTrace.some((span) => span.service === 'recommender') && inTrace.some((span) => span.service === 'gateway' && span.kind === 'SERVER');
    });
    const server = assertOneTrace(found, traceId, parentSpanId);
    assert.equal(server.name, 'languagetracks.recommendations.v1.RecommendationService/Recommend');
    assert.equal(server.attributes['rpc.grpc.status_code'], 0);
  });

  describe('error-envelope parity with the catalogs', () => {
    const sameShape = (gatewayAnswer: HttpAnswer, catalogAnswer: HttpAnswer, catalog: string): void => {
      const keys = (answer: HttpAnswer): string[] => Object.keys(answer.json as object).sort();
      assert.deepEqual(keys(gatewayAnswer), keys(catalogAnswer), `the gateway's envelope fields differ from the ${catalog}'s`);
      const mediaType = (answer: HttpAnswer): string => (answer.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
      assert.equal(mediaType(gatewayAnswer), mediaType(catalogAnswer), 'the same media type');
    };

    it('an unknown route is the same 404 problem at the gateway and at both catalogs', async () => {
      const atGateway = await gateway.request('GET', '/no/such/route');
      expectProblemShape(atGateway, 404, 'not_found', 'the gateway, an unknown route');
      for (const [name, catalog] of catalogs) {
        const atCatalog = await catalog.request('GET', '/no/such/route');
        expectProblemShape(atCatalog, 404, 'not_found', `the ${name}, an unknown route`);
        sameShape(atGateway, atCatalog, name);
        assert.equal((atGateway.json as { type: string }).type, (atCatalog.json as { type: string }).type, `the same problem type URI as the ${name}`);
      }
    });

    it('an error mapped from a gRPC status has the same shape (a field error lists `errors` like a catalog 422)', async () => {
      const answer = await gateway.request('GET', '/users/u-1/recommendations?language=xx', undefined, { authorization: `Bearer ${mintDevJwt()}` });
      expectProblemShape(answer, 400, 'unsupported_language', 'an unsupported language (INVALID_ARGUMENT from the recommender)');
      const bad = await gateway.request('GET', '/users/u-1/recommendations?language=es&limit=abc', undefined, { authorization: `Bearer ${mintDevJwt()}` });
      expectProblemShape(bad, 400, 'invalid_request', 'a bad limit');
      for (const [name, catalog] of catalogs) {
        const invalid = await catalog.request('POST', '/products', { sku: '', name: '', price: { amount_minor: -1, currency: 'EUR' } });
        expectProblemShape(invalid, 422, 'validation_failed', `the ${name}, an invalid body`);
        sameShape(bad, invalid, name);
        const fields = (answer: HttpAnswer): string[] => Object.keys(((answer.json as { errors: object[] }).errors[0] ?? {}) as object).sort();
        assert.deepEqual(fields(bad), fields(invalid), `each of "errors" has the ${name}'s fields`);
      }
    });
  });
});
