/**
 * Lab 9's black-box probe: the Go catalog with the upstream simulator over HTTP
 * (`go-catalog-fanout`). The fan-out cases both catalogs answer (lab 7's) must still pass with
 * breakers, retries and the hedge in place; then the telemetry both catalogs expose: the
 * X-Request-ID echo and the Prometheus names of the Python catalog's /metrics.
 */
import assert from 'node:assert/strict';
import { fanoutContract } from '../../../tooling/contract/fanout-cases.ts';
import { defineProbes } from '../../../tooling/probes/probe.ts';

const TODO = 'see TODO(lab 9) in go/services/catalog/internal/resilience/ and internal/platform/serve.go';

export default [
  ...fanoutContract({ todo: TODO }),
  ...defineProbes([
    {
      name: 'X-Request-ID: a sane one is echoed, a missing one is generated',
      async run(ctx) {
        const echoed = await ctx.request('GET', '/healthz', undefined, { 'X-Request-ID': 'probe-req-1' });
        assert.equal(echoed.headers.get('x-request-id'), 'probe-req-1', 'a sane X-Request-ID is echoed back');
        const fresh = await ctx.request('GET', '/healthz');
        assert.match(fresh.headers.get('x-request-id') ?? '', /^[A-Za-z0-9._:-]{8,128}$/, 'a missing X-Request-ID is generated and sent back');
        const insane = await ctx.request('GET', '/healthz', undefined, { 'X-Request-ID': 'a b<script>' });
        assert.notEqual(insane.headers.get('x-request-id'), 'a b<script>', 'an id that is not a sane token is replaced (ids end up in logs)');
      },
    },
    {
      name: 'GET /metrics: the Python catalog\'s names and labels',
      async run(ctx) {
        await ctx.request('GET', '/products');
        const metrics = await ctx.request('GET', '/metrics');
        assert.equal(metrics.status, 200);
        assert.match(metrics.text, /catalog_request_duration_seconds_bucket\{method="GET",route="\/products",status="200",le="0\.8"\}/, 'a latency histogram by method, route (the pattern) and status, with the 0.8 s SLO bucket');
        assert.match(metrics.text, /catalog_breaker_state\{upstream="pricing"\} 0/, 'a breaker state gauge per upstream, 0 = closed');
        assert.match(metrics.text, /# TYPE catalog_upstream_errors_total counter/, 'an upstream error counter by upstream and reason');
        assert.match(metrics.text, /^catalog_outbox_lag_messages \d+$/m, 'the outbox lag gauge: messages not yet relayed, read at scrape time');
      },
    },
  ]),
];
