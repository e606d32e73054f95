import { defineLab } from '../../tooling/lab-engine/manifest.ts';

const observability = 'python/services/recommender/src/recommender/observability.py';
const touched = [observability, 'labs/15-e2e/check'];

export default defineLab({
  title: 'End-to-end test across both runtimes (auth, deadlines, one trace)',
  module: 'polyglot',
  deck: 'slides/polyglot/slides.md#lab-15',
  owns: [
    { path: observability, region: 'span-export' },
    { path: 'tooling/e2e/traces.ts', region: 'span-tree' },
  ],
  steps: [
    { kind: 'ruff-check', name: 'ruff check', paths: touched },
    { kind: 'ruff-format', name: 'ruff format --check', paths: touched, hint: 'run `.venv/bin/ruff format` on the file (most editors do it on save).' },
    { kind: 'mypy', name: 'mypy --strict', paths: touched, hint: '`record` returns `dict[str, Any]`; `span.parent` is a `SpanContext | None`.' },
    {
      kind: 'pytest',
      name: 'span file acceptance tests (one JSON line per span, flushed, parent ids)',
      paths: ['labs/15-e2e/check'],
      hint: 'each message names the README step. "holds 0 lines" after a span ended: the line is not written, or not flushed. `.venv/bin/python -m pytest labs/15-e2e/check -k parent` runs the parent-id tests.',
    },
    {
      kind: 'probe',
      name: 'E2E probe (Go gateway + Python recommender, both span files, one trace)',
      service: 'gateway-traced',
      module: 'check/probe.ts',
      hint: 'the message prints the trace tree it found (`service KIND name (span <- parent)`). "in ANOTHER trace": the traceparent did not cross the boundary. "no Recommend span in its trace file": the recommender exports nothing. "found N roots": spans are not joined by parent id (step 3, tooling/e2e/traces.ts).',
    },
  ],
  hints: [
    'Work in README order: the span line (step 1) and its export (step 2) in python/services/recommender/src/recommender/observability.py, then the tree (step 3) in tooling/e2e/traces.ts. `pnpm lab 15 check --watch` re-runs on every save; the pytest messages name the step, the probe prints the trace tree it found.',
    'Step 1: `context = span.get_span_context()`; `format(context.trace_id, "032x")`, `format(context.span_id, "016x")`, and `format(span.parent.span_id, "016x") if span.parent is not None else None`; `span.kind.name`, `span.status.status_code.name`, `span.status.description`, `dict(span.attributes or {})`, `span.start_time`, `span.end_time`. Step 2: `with self._lock:` return FAILURE if `self._file.closed`, `self._file.write(json_line(self.record(span)))` for each span, then `self._file.flush()`.',
    'Step 3: `const byId = new Map<string, SpanNode>()` keyed `${traceId}/${spanId}`; for each node look up `${traceId}/${parentSpanId}`: found (and not the node itself) → `parent.children.push(node)`; else the node is a root: push it to `trees.get(traceId) ?? []` and set it back. Keep the roots whose parent is outside the files (the caller that sent traceparent). `pnpm lab 15 diff` shows the rest.',
  ],
});
