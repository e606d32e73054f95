// The canary's SLI queries: ONE source for the local controller (`pnpm rollout canary`) and the
// Argo Rollouts AnalysisTemplate generated for the production shape. Each is a PromQL template
// whose value must stay at or below `max` for the candidate to be judged healthy.
//   {{version}}  the recommender version under judgement (a scrape label: `version="v2"`)
//   {{window}}   the rate window (a few seconds locally at a 1 s scrape; minutes in a cluster)
// The series are the recommender's own (`recommender_rpc_duration_seconds`, see
// tooling/rollout/README.md "The metric contract"), selected by the candidate's version label:
// judging the stable version's series would promote a faulty candidate. Calls the client
// cancelled are neither good nor bad (gRPC's 499): the denominator and the latency leave them out,
// as the SLOs do (tooling/rollout/slo), so clients hanging up can neither hide nor fake a breach.

/** One SLI the canary is judged on: lower is better, `max` is the highest healthy value. */
export interface CanaryQuery {
  /** Stable name used in reports and JSON output (`error-rate`, `latency-p99`). */
  readonly name: string;
  /** What the number means, for the text report. */
  readonly description: string;
  /** PromQL with `{{version}}` and `{{window}}` placeholders. */
  readonly promql: string;
  /** Highest healthy value (inclusive). */
  readonly max: number;
  readonly unit: 'ratio' | 'seconds';
}

const SERVICE_METHODS = '/languagetracks.recommendations.v1.RecommendationService/.*';
const RECOMMEND = '/languagetracks.recommendations.v1.RecommendationService/Recommend';
const SERVER_CODES = 'UNKNOWN|DEADLINE_EXCEEDED|UNIMPLEMENTED|INTERNAL|UNAVAILABLE|DATA_LOSS';

export const canaryQueries: readonly CanaryQuery[] = [
  {
    name: 'error-rate',
    description: "share of the candidate's RecommendationService RPCs ending with a server-side gRPC code",
    promql:
      `sum(rate(recommender_rpc_duration_seconds_count{job="recommender",version="{{version}}",method=~"${SERVICE_METHODS}",code=~"${SERVER_CODES}"}[{{window}}]))` +
      ` / sum(rate(recommender_rpc_duration_seconds_count{job="recommender",version="{{version}}",method=~"${SERVICE_METHODS}",code!="CANCELLED"}[{{window}}]))`,
    max: 0.01,
    unit: 'ratio',
  },
  {
    name: 'latency-p99',
    description: "99th percentile of the candidate's Recommend latency (the SLO's 0.25 s threshold)",
    promql: `histogram_quantile(0.99, sum by (le) (rate(recommender_rpc_duration_seconds_bucket{job="recommender",version="{{version}}",method="${RECOMMEND}",code!="CANCELLED"}[{{window}}])))`,
    max: 0.25,
    unit: 'seconds',
  },
];

/** Fills a query's placeholders. */
export function renderQuery(q: CanaryQuery, vars: { version: string; window: string }): string {
  return q.promql.replaceAll('{{version}}', vars.version).replaceAll('{{window}}', vars.window);
}
