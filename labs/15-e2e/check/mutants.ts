/**
 * Plausible wrong solutions of lab 15. kit verify applies each to the solved tree and requires
 * `pnpm lab 15 check` to FAIL on a behavioural step (pytest or the E2E probe). The last two
 * change lab 12's parts (kit verify restores only owned files, so no mutant may touch a file
 * no lab owns): the E2E must catch a trace that breaks at the language boundary, or a
 * deadline that does not travel, whoever broke it.
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const observability = 'python/services/recommender/src/recommender/observability.py';
const traces = 'tooling/e2e/traces.ts';

export default defineMutants([
  // Steps 1-2: the recommender's span file.
  {
    name: 'spans are written but never flushed (a reader sees nothing while the service runs)',
    file: observability,
    find: '            self._file.flush()\n',
    replace: '',
  },
  {
    name: 'the parent span id is not recorded (every recommender span looks like a root)',
    file: observability,
    find: '            "parent_span_id": format(parent.span_id, "016x") if parent is not None else None,\n',
    replace: '            "parent_span_id": None,\n',
  },
  {
    name: 'ids written as decimal numbers (they match nothing the gateway writes)',
    file: observability,
    find: '            "trace_id": format(context.trace_id, "032x"),\n            "span_id": format(context.span_id, "016x"),\n',
    replace: '            "trace_id": str(context.trace_id),\n            "span_id": str(context.span_id),\n',
  },
  // Step 3: the tree.
  {
    name: 'the tree ignores parent ids (every span hangs under the first span of its trace)',
    file: traces,
    find: '    const parent = node.span.parentSpanId === undefined ? undefined : byId.get(`${node.span.traceId}/${node.span.parentSpanId}`);\n',
    replace: '    const parent = trees.get(node.span.traceId)?.[0];\n',
  },
  {
    name: 'a span whose parent is not in the files is dropped (the gateway span under the caller vanishes)',
    file: traces,
    find: '    const roots = trees.get(node.span.traceId) ?? [];\n',
    replace: '    if (node.span.parentSpanId !== undefined) continue;\n    const roots = trees.get(node.span.traceId) ?? [];\n',
  },
  // The boundary itself (lab 12's regions): the E2E must notice.
  {
    name: 'the recommender does not extract traceparent (every call starts a new trace)',
    file: 'python/services/recommender/src/recommender/interceptors.py',
    find: '        parent = _propagator.extract(carrier)\n',
    replace: '        parent = _propagator.extract({})\n',
  },
  {
    name: 'the gateway does not pass its deadline on (the recommender does work nobody waits for)',
    file: 'go/services/gateway/internal/ports/http.go',
    find: '	ctx, cancel := context.WithDeadline(r.Context(), deadline)\n',
    replace: '	_ = deadline\n	ctx, cancel := context.WithCancel(r.Context())\n',
  },
]);
