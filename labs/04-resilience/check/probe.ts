/**
 * Lab 4's black-box probe: the Python catalog, started alone, still answers the whole catalog
 * contract with breakers and retries in the path, and its telemetry is visible from outside:
 * an X-Request-ID is echoed, GET /metrics serves the Prometheus text format.
 */
import assert from 'node:assert/strict';
import { catalogContract } from '../../../tooling/contract/catalog-cases.ts';
import { defineProbes } from '../../../tooling/probes/probe.ts';

const TODO = 'see the TODO(lab 4) markers';

export default defineProbes([
  ...catalogContract({ todo: TODO }),
  {
    name: 'an X-Request-ID is echoed back',
    async run(ctx) {
      const answer = await ctx.request('GET', '/healthz', undefined, { 'X-Request-ID': 'probe-4' });
      assert.equal(answer.headers.get('x-request-id'), 'probe-4', 'the request id must come back in X-Request-ID');
    },
  },
  {
    name: 'GET /metrics serves latency, upstream errors, breaker state and outbox lag',
    async run(ctx) {
      const answer = await ctx.request('GET', '/metrics');
      assert.equal(answer.status, 200, `GET /metrics: expected 200, got ${answer.status}`);
      for (const name of [
        'catalog_request_duration_seconds_bucket',
        'catalog_upstream_errors_total',
        'catalog_breaker_state',
        'catalog_outbox_lag_messages',
      ]) {
        assert.ok(answer.text.includes(name), `GET /metrics lacks ${name}`);
      }
    },
  },
]);
