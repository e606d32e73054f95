/**
 * What each SLI counts, as raw series: for every SLO of every spec, the series a GOOD event
 * increments, the series a BAD event increments, and NOISE series the SLI must ignore (health
 * probes, other routes). The promtool unit tests (alert-tests.ts) drive these with synthetic
 * traffic, so an SLI query that selects the wrong series fails a test, not a 3 a.m. page.
 *
 * The series are the services' metric contract: the catalogs export them today
 * (catalog_request_duration_seconds); the recommender and the gateway do NOT yet — their names
 * here are what they must export (tooling/rollout/README.md).
 */

export interface SliEvents {
  readonly good: readonly string[];
  readonly bad: readonly string[];
  /** Series that grow as fast as all traffic and must change nothing. */
  readonly noise: readonly string[];
}

const RPC = '/languagetracks.recommendations.v1.RecommendationService';

function httpAvailability(metric: string, job: string, method: string, route: string): SliEvents {
  const s = (labels: string): string => `${metric}_count{job="${job}",${labels}}`;
  return {
    good: [s(`method="${method}",route="${route}",status="200"`)],
    bad: [s(`method="${method}",route="${route}",status="503"`)],
    // A client that hung up (499, nginx's code) is neither good nor bad: counted apart.
    noise: [s('method="GET",route="/readyz",status="503"'), s(`method="${method}",route="${route}",status="499"`)],
  };
}

/** `gone` is the selector of calls whose client went away (slow ones, as they often are): noise too. */
function latency(metric: string, selector: string, le: string, noiseSelector: string, gone: string): SliEvents {
  return {
    good: [`${metric}_count{${selector}}`, `${metric}_bucket{${selector},le="${le}"}`, `${metric}_bucket{${selector},le="+Inf"}`],
    bad: [`${metric}_count{${selector}}`, `${metric}_bucket{${selector},le="+Inf"}`],
    noise: [`${metric}_count{${noiseSelector}}`, `${metric}_bucket{${noiseSelector},le="+Inf"}`, `${metric}_count{${gone}}`, `${metric}_bucket{${gone},le="+Inf"}`],
  };
}

function catalog(job: string): Record<string, SliEvents> {
  const m = 'catalog_request_duration_seconds';
  return {
    'requests-availability': httpAvailability(m, job, 'GET', '/products/{product_id}'),
    'product-latency': latency(
      m,
      `job="${job}",method="GET",route="/products/{product_id}",status="200"`,
      '0.8',
      `job="${job}",method="POST",route="/products",status="201"`,
      `job="${job}",method="GET",route="/products/{product_id}",status="499"`,
    ),
  };
}

/** By service, then SLO name. */
export const SLI_EVENTS: Readonly<Record<string, Readonly<Record<string, SliEvents>>>> = {
  'catalog-python': catalog('catalog-python'),
  'catalog-go': catalog('catalog-go'),
  recommender: {
    'rpc-availability': {
      good: [`recommender_rpc_duration_seconds_count{job="recommender",method="${RPC}/Recommend",code="OK"}`],
      bad: [`recommender_rpc_duration_seconds_count{job="recommender",method="${RPC}/Recommend",code="UNAVAILABLE"}`],
      // A draining instance answers its health checks NOT_SERVING/UNAVAILABLE: not an SLI failure;
      // a call its client cancelled is neither good nor bad (gRPC's 499).
      noise: [
        'recommender_rpc_duration_seconds_count{job="recommender",method="/grpc.health.v1.Health/Check",code="UNAVAILABLE"}',
        `recommender_rpc_duration_seconds_count{job="recommender",method="${RPC}/Recommend",code="CANCELLED"}`,
      ],
    },
    'recommend-latency': latency(
      'recommender_rpc_duration_seconds',
      `job="recommender",method="${RPC}/Recommend",code="OK"`,
      '0.25',
      `job="recommender",method="${RPC}/StreamRecommendations",code="OK"`,
      `job="recommender",method="${RPC}/Recommend",code="CANCELLED"`,
    ),
  },
  gateway: {
    'requests-availability': httpAvailability('gateway_request_duration_seconds', 'gateway', 'GET', '/users/{id}/recommendations'),
    'recommendations-latency': latency(
      'gateway_request_duration_seconds',
      'job="gateway",method="GET",route="/users/{id}/recommendations",status="200"',
      '0.8',
      'job="gateway",method="GET",route="/users/{id}/recommendations/stream",status="200"',
      'job="gateway",method="GET",route="/users/{id}/recommendations",status="499"',
    ),
  },
};
