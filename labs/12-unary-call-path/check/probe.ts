/**
 * Lab 12's black-box probe: the real stack, the Go gateway (`go run ./cmd/gateway`) in front
 * of the Python recommender (`python -m recommender`), each on a free port. The gateway
 * verifies tokens too (before the budget), so the bad-token cases here prove the STACK; the
 * recommender's own verification (step 2) is proven by the pytest step, which calls it directly. Tokens, the wrong
 * ones too (another secret, alg none, HS512), are minted by tooling/probes/dev-jwt.ts from the
 * recommender's documented dev settings.
 * Tracing is checked by the pytest and go-test steps: the gateway does not echo trace ids.
 */
import assert from 'node:assert/strict';
import { mintDevJwt as jwt } from '../../../tooling/probes/dev-jwt.ts';
import { defineProbes, type HttpAnswer } from '../../../tooling/probes/probe.ts';

const PATH = '/users/u-1/recommendations?language=es';

function problem(answer: HttpAnswer, status: number, code: string, what: string): void {
  assert.equal(answer.status, status, `${what}: status ${answer.status}, want ${status}; body ${answer.text.slice(0, 200)}`);
  assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/, `${what}: want the problem+json envelope`);
  const body = answer.json as Record<string, unknown> | undefined;
  assert.equal(body?.['code'], code, `${what}: envelope code ${String(body?.['code'])}, want ${code}`);
  assert.equal(body?.['status'], status, `${what}: the envelope repeats the status`);
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export default defineProbes([
  {
    name: 'a valid dev token gets recommendations through the gateway',
    async run(ctx) {
      const answer = await ctx.request('GET', PATH, undefined, bearer(jwt()));
      assert.equal(answer.status, 200, `status ${answer.status}, want 200: ${answer.text.slice(0, 200)}`);
      const body = answer.json as { recommendations?: unknown; model_version?: unknown };
      assert.ok(Array.isArray(body.recommendations) && body.recommendations.length === 5, `want 5 recommendations, got ${answer.text.slice(0, 200)}`);
      assert.equal(typeof body.model_version, 'string', 'model_version is a string');
      for (const item of body.recommendations as Record<string, unknown>[]) {
        // tags and difficulty: contract v1.1 (lab 14).
        assert.deepEqual(Object.keys(item).sort(), ['difficulty', 'item_id', 'reason', 'score', 'tags', 'title'], `item fields: ${JSON.stringify(item)}`);
      }
    },
  },
  {
    name: 'a token signed with another secret is a 401 through the stack (the edge and the recommender both verify; step 2 is checked directly by the pytest step)',
    async run(ctx) {
      const answer = await ctx.request('GET', PATH, undefined, bearer(jwt({}, { secret: 'an-attacker-secret-that-is-long-enough-1234' }))); // gitleaks:allow (a test's forged key, not a secret)
      problem(answer, 401, 'token_invalid', 'a forged signature');
    },
  },
  {
    name: 'an alg:none or HS512 token is a 401 through the stack (the algorithm comes from configuration)',
    async run(ctx) {
      problem(await ctx.request('GET', PATH, undefined, bearer(jwt({}, { alg: 'none' }))), 401, 'token_invalid', 'alg none');
      problem(await ctx.request('GET', PATH, undefined, bearer(jwt({}, { alg: 'HS512' }))), 401, 'token_invalid', 'alg HS512');
    },
  },
  {
    name: 'a token for another issuer or audience, or an expired one, is a 401 through the stack',
    async run(ctx) {
      problem(await ctx.request('GET', PATH, undefined, bearer(jwt({ iss: 'https://evil.example' }))), 401, 'token_invalid', 'another issuer');
      problem(await ctx.request('GET', PATH, undefined, bearer(jwt({ aud: 'billing' }))), 401, 'token_invalid', 'another audience');
      problem(await ctx.request('GET', PATH, undefined, bearer(jwt({ exp: 1_000_000_000 }))), 401, 'token_expired', 'an expired token');
    },
  },
  {
    name: "a token for u-1 asking for u-2 is a 403, through the gateway too (step 5: bind the token to the user)",
    async run(ctx) {
      const other = '/users/u-2/recommendations?language=es';
      problem(await ctx.request('GET', other, undefined, bearer(jwt())), 403, 'user_mismatch', "u-1's token reading u-2's recommendations");
      const feedback = { user_id: 'u-2', item_id: 'es-01', kind: 'dismissed' };
      problem(await ctx.request('POST', '/feedback', feedback, { ...bearer(jwt()), 'Idempotency-Key': `probe-${Date.now()}` }), 403, 'user_mismatch', "u-1's token recording feedback as u-2");
      const own = await ctx.request('GET', other, undefined, bearer(jwt({ sub: 'u-2' })));
      assert.equal(own.status, 200, `u-2's own token: status ${own.status}, want 200: ${own.text.slice(0, 200)}`);
      const any = await ctx.request('GET', other, undefined, bearer(jwt({ sub: 'backoffice', scope: 'recommendations:any' })));
      assert.equal(any.status, 200, `a token with scope recommendations:any: status ${any.status}, want 200: ${any.text.slice(0, 200)}`);
    },
  },
  {
    name: 'no Authorization header is a 401 at the edge',
    async run(ctx) {
      problem(await ctx.request('GET', PATH), 401, 'unauthenticated', 'no token');
    },
  },
  {
    name: 'a budget smaller than the margin is a 504 without a call (step 1)',
    async run(ctx) {
      const answer = await ctx.request('GET', PATH, undefined, { ...bearer(jwt()), 'X-Request-Timeout-Ms': '10' });
      problem(answer, 504, 'deadline_exceeded', 'X-Request-Timeout-Ms: 10 (the margin is 50 ms)');
    },
  },
  {
    name: 'a bad X-Request-Timeout-Ms is a 400 naming it (step 1)',
    async run(ctx) {
      const answer = await ctx.request('GET', PATH, undefined, { ...bearer(jwt()), 'X-Request-Timeout-Ms': 'soon' });
      assert.equal(answer.status, 400, `status ${answer.status}, want 400: ${answer.text.slice(0, 200)}`);
      assert.match(answer.text, /X-Request-Timeout-Ms/, 'the envelope names the header');
    },
  },
]);
