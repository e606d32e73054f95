/**
 * Spans from both runtimes, read back from the files the traced services write, and the trace
 * TREES they form. The gateway writes OpenTelemetry Go's stdouttrace JSON (`GATEWAY_TRACE_FILE`,
 * one span per line); the recommender its own JSON lines (`RECOMMENDER_TRACE_FILE`,
 * python/services/recommender/src/recommender/observability.py). Both become `SpanRecord`s, and
 * `buildTrees` joins them by trace id and parent span id: ONE trace across the language
 * boundary is one tree whose spans come from both services.
 * Used by the polyglot E2E suite (tooling/e2e/polyglot.e2e.test.ts) and lab 15's probe.
 */
import { readFileSync } from 'node:fs';
import { traceFilePath } from '../services/registry.ts';

export type SpanKind = 'SERVER' | 'CLIENT' | 'INTERNAL' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED';

export interface SpanRecord {
  readonly service: string;
  readonly name: string;
  readonly kind: SpanKind;
  /** 32 lower-case hex digits. */
  readonly traceId: string;
  /** 16 lower-case hex digits. */
  readonly spanId: string;
  /** The parent's span id; undefined for a span that starts a trace. */
  readonly parentSpanId: string | undefined;
  /** 'UNSET' | 'OK' | 'ERROR'. */
  readonly status: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface SpanNode {
  readonly span: SpanRecord;
  readonly children: SpanNode[];
}

const ZERO_SPAN = '0000000000000000';
const GO_KINDS: Readonly<Record<number, SpanKind>> = { 0: 'UNSPECIFIED', 1: 'INTERNAL', 2: 'SERVER', 3: 'CLIENT', 4: 'PRODUCER', 5: 'CONSUMER' };

/** The span file of a traced service from its base URL (`traceFilePath` of the registry). */
export function traceFileOf(service: string, baseUrl: string): string {
  return traceFilePath(service, Number(new URL(baseUrl).port));
}

/** Every JSON line of `file` as a span (a missing file is no spans; a torn last line is skipped). */
export function readSpans(file: string): SpanRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const spans: SpanRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const span = toSpanRecord(value);
    if (span) spans.push(span);
  }
  return spans;
}

/** A line of either format as a `SpanRecord`, or undefined when it is neither. */
export function toSpanRecord(value: unknown): SpanRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const line = value as Record<string, unknown>;
  if (typeof line['trace_id'] === 'string') {
    // The recommender's own format.
    const parent = line['parent_span_id'];
    return {
      service: String(line['service'] ?? 'recommender'),
      name: String(line['name']),
      kind: String(line['kind']) as SpanKind,
      traceId: line['trace_id'],
      spanId: String(line['span_id']),
      parentSpanId: typeof parent === 'string' && parent !== ZERO_SPAN ? parent : undefined,
      status: String(line['status'] ?? 'UNSET'),
      attributes: (line['attributes'] as Record<string, unknown> | undefined) ?? {},
    };
  }
  const context = line['SpanContext'] as { TraceID?: string; SpanID?: string } | undefined;
  if (typeof context?.TraceID === 'string') {
    // Go's stdouttrace.
    const parent = (line['Parent'] as { SpanID?: string } | undefined)?.SpanID;
    const resource = (line['Resource'] as { Key: string; Value: { Value: unknown } }[] | null) ?? [];
    const attributes: Record<string, unknown> = {};
    for (const attribute of (line['Attributes'] as { Key: string; Value: { Value: unknown } }[] | null) ?? []) attributes[attribute.Key] = attribute.Value.Value;
    return {
      service: String(resource.find((entry) => entry.Key === 'service.name')?.Value.Value ?? 'gateway'),
      name: String(line['Name']),
      kind: GO_KINDS[Number(line['SpanKind'])] ?? 'UNSPECIFIED',
      traceId: context.TraceID,
      spanId: String(context.SpanID),
      parentSpanId: typeof parent === 'string' && parent !== ZERO_SPAN ? parent : undefined,
      status: String((line['Status'] as { Code?: string } | undefined)?.Code ?? 'Unset').toUpperCase(),
      attributes,
    };
  }
  return undefined;
}

/**
 * The spans of each trace as trees, by trace id: a span hangs under the span whose id is its
 * parent id (in the same trace); a span whose parent is not among `spans` (none, or a caller
 * outside, like the client that sent `traceparent`) is a root of its trace.
 */
export function buildTrees(spans: readonly SpanRecord[]): Map<string, SpanNode[]> {
  const trees = new Map<string, SpanNode[]>();
  const nodes = spans.map((span): SpanNode => ({ span, children: [] }));
  // lab-region:span-tree begin
  const byId = new Map<string, SpanNode>();
  for (const node of nodes) byId.set(`${node.span.traceId}/${node.span.spanId}`, node);
  for (const node of nodes) {
    const parent = node.span.parentSpanId === undefined ? undefined : byId.get(`${node.span.traceId}/${node.span.parentSpanId}`);
    if (parent && parent !== node) {
      parent.children.push(node);
      continue;
    }
    const roots = trees.get(node.span.traceId) ?? [];
    roots.push(node);
    trees.set(node.span.traceId, roots);
  }
  // lab-region:span-tree end
  return trees;
}

/** Every node of a tree, depth first (the root first). */
export function walk(node: SpanNode): SpanNode[] {
  return [node, ...node.children.flatMap(walk)];
}

/** Indented `service kind name` lines: what a failure message shows of a trace. */
export function describeTrees(roots: readonly SpanNode[]): string {
  const lines: string[] = [];
  const visit = (node: SpanNode, depth: number): void => {
    lines.push(`${'  '.repeat(depth)}${node.span.service} ${node.span.kind} ${node.span.name} (${node.span.spanId} <- ${node.span.parentSpanId ?? 'none'})`);
    for (const child of node.children) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  return lines.join('\n') || '(no spans)';
}

/** Polls `read` until `done` holds for what it returns, or `timeoutMs` passes (the last read is returned either way). */
export async function waitFor<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 2_000): Promise<T> {
  const until = performance.now() + timeoutMs;
  let value = read();
  while (!done(value) && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = read();
  }
  return value;
}

/** A fresh W3C `traceparent` (version 00, sampled) and its trace and parent span ids. */
export function newTraceparent(): { traceparent: string; traceId: string; parentSpanId: string } {
  const hex = (bytes: number): string => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
  const traceId = hex(16);
  const parentSpanId = hex(8);
  return { traceparent: `00-${traceId}-${parentSpanId}-01`, traceId, parentSpanId };
}

/**
 * Asserts that the spans of `traceId` form ONE tree across the language boundary: the
 * gateway's SERVER span (child of the caller's `parentSpanId`) → the gateway's gRPC CLIENT
 * span → the recommender's SERVER span. Returns the recommender's span. Messages show the
 * trees that were found.
 */
export function assertOneTrace(spans: readonly SpanRecord[], traceId: string, parentSpanId: string): SpanRecord {
  const trees = buildTrees(spans);
  const roots = trees.get(traceId) ?? [];
  const services = new Set(spans.filter((span) => span.traceId === traceId).map((span) => span.service));
  const shown = (): string => `\ntrace ${traceId}:\n${describeTrees(roots)}`;
  if (!services.has('recommender')) {
    const elsewhere = spans.filter((span) => span.service === 'recommender' && span.kind === 'SERVER' && span.name.endsWith('/Recommend'));
    throw new Error(
      elsewhere.length > 0
        ? `the recommender's Recommend span is in ANOTHER trace (${elsewhere.map((span) => span.traceId).join(', ')}): the trace breaks at the language boundary (traceparent not sent or not continued)${shown()}`
        : `no recommender span in trace ${traceId}, and no Recommend span in its trace file at all: are spans exported (written AND flushed as each ends; lab 15 steps 1-2, TODO(lab 15) in observability.py)?${shown()}`,
    );
  }
  if (!services.has('gateway')) throw new Error(`no gateway span in trace ${traceId}: the gateway did not continue the caller's traceparent${shown()}`);
  if (roots.length !== 1) throw new Error(`trace ${traceId} should be ONE tree, found ${roots.length} roots: spans not joined by parent id (lab 15 step 3, TODO(lab 15) in tooling/e2e/traces.ts buildTrees)?${shown()}`);
  const [root] = roots as [SpanNode];
  if (root.span.service !== 'gateway' || root.span.kind !== 'SERVER') throw new Error(`the root of the trace should be the gateway's SERVER span${shown()}`);
  if (root.span.parentSpanId !== parentSpanId) throw new Error(`the gateway's SERVER span should be a child of the caller's span ${parentSpanId}, its parent is ${root.span.parentSpanId ?? 'none'}${shown()}`);
  const client = root.children.find((child) => child.span.service === 'gateway' && child.span.kind === 'CLIENT');
  if (!client) throw new Error(`the gateway's gRPC CLIENT span should be a child of its SERVER span${shown()}`);
  const server = client.children.find((child) => child.span.service === 'recommender' && child.span.kind === 'SERVER');
  if (!server) throw new Error(`the recommender's SERVER span should be a child of the gateway's CLIENT span (the parent link across the language boundary)${shown()}`);
  return server.span;
}
