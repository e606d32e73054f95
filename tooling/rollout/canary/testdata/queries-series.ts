// Synthetic scrape series for checking the REAL canary queries (queries.ts, rendered) with
// `promtool test rules` (promql_expr_test): the stable v1 is clean and fast, the candidate v2
// fails 20 % of its calls and one in twenty of its Recommend calls takes 0.25-0.5 s. Health
// checks fail throughout (noise the SLIs must not count). Per 15 s scrape, counters grow by:
const RECOMMEND = '/languagetracks.recommendations.v1.RecommendationService/Recommend';
const HEALTH = '/grpc.health.v1.Health/Check';

function counter(labels: string, perScrape: number): { series: string; values: string } {
  return { series: `recommender_rpc_duration_seconds_${labels}`, values: `0+${String(perScrape)}x40` };
}

function version(v: string, ok: number, internal: number, buckets: readonly [string, number][]): { series: string; values: string }[] {
  const base = `job="recommender",version="${v}",method="${RECOMMEND}"`;
  return [
    counter(`count{${base},code="OK"}`, ok),
    counter(`count{${base},code="INTERNAL"}`, internal),
    counter(`count{job="recommender",version="${v}",method="${HEALTH}",code="UNAVAILABLE"}`, 500),
    ...buckets.map(([le, n]) => counter(`bucket{${base},le="${le}"}`, n)),
  ];
}

export const querySeries = [
  // v1: 1000 calls a scrape, none failing, all under 0.05 s.
  ...version('v1', 1000, 0, [['0.05', 1000], ['0.25', 1000], ['0.5', 1000], ['+Inf', 1000]]),
  // v2: 100 calls a scrape, 20 INTERNAL; 90 under 0.05 s, 95 under 0.25 s, all under 0.5 s.
  ...version('v2', 80, 20, [['0.05', 90], ['0.25', 95], ['0.5', 100], ['+Inf', 100]]),
];

/** What each query must give for v2 (and, for contrast, v1), by query name. */
export const expectedValues: Readonly<Record<string, { readonly v1: number; readonly v2: number }>> = {
  // 20 / 100; the health checks' UNAVAILABLE excluded.
  'error-rate': { v1: 0, v2: 0.2 },
  // rank 99 of 100 lies in the (0.25, 0.5] bucket (95 → 100): 0.25 + 0.25 × 4/5. A p90 would say 0.05.
  'latency-p99': { v1: 0.0495, v2: 0.45 },
};
