/**
 * Lab 13's black-box probe: the real stack, the Go gateway (`go run ./cmd/gateway`) in front of
 * the Python recommender (`python -m recommender`), each on a free port. It reads
 * GET /users/u-1/recommendations/stream as the bytes arrive, checks the NDJSON lines come in one
 * by one (the recommender spends RECOMMENDER_SCORE_DELAY_MS, default 2 ms, per item), then
 * aborts a stream mid-way and checks the gateway still answers. The dev token comes from
 * tooling/probes/dev-jwt.ts (the recommender's documented dev settings).
 */
import assert from 'node:assert/strict';
import { mintDevJwt } from '../../../tooling/probes/dev-jwt.ts';
import { defineProbes } from '../../../tooling/probes/probe.ts';

const STREAM = '/users/u-1/recommendations/stream?language=es&limit=8';
const ITEMS = 8; // the "es" catalogue holds 8 items
const DELAY_MS = Number(process.env['RECOMMENDER_SCORE_DELAY_MS'] || 2);
const TODO = 'see TODO(lab 13) in go/services/gateway/internal/ports/http.go (stream) and python/services/recommender/src/recommender/service.py';

const headers = (): Record<string, string> => ({ authorization: `Bearer ${mintDevJwt()}` });

interface Reading {
  readonly status: number;
  readonly contentType: string;
  /** Complete lines, each with the ms (since the request) at which its last byte arrived. */
  readonly lines: { readonly text: string; readonly at: number }[];
  /** How many separate reads the body took. */
  readonly reads: number;
}

/** Reads a stream as it arrives; `stopAfter` lines, then aborts the request. */
async function readStream(url: string, stopAfter = Infinity): Promise<Reading> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 5_000);
  const started = performance.now();
  try {
    const response = await fetch(url, { headers: headers(), signal: abort.signal });
    const lines: { text: string; at: number }[] = [];
    let reads = 0;
    let pending = '';
    const decoder = new TextDecoder();
    const reader = response.body?.getReader();
    while (reader && lines.length < stopAfter) {
      const { done, value } = await reader.read();
      if (done) break;
      reads += 1;
      const at = performance.now() - started;
      pending += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        lines.push({ text: pending.slice(0, newline), at });
        pending = pending.slice(newline + 1);
      }
    }
    if (lines.length >= stopAfter) abort.abort(); // the client goes away mid-stream
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', lines, reads };
  } finally {
    clearTimeout(timer);
  }
}

function checkItems(reading: Reading, count: number): void {
  assert.equal(reading.status, 200, `stream status ${reading.status}, want 200: ${reading.lines.map((l) => l.text).join(' ').slice(0, 200)}`);
  assert.match(reading.contentType, /^application\/x-ndjson/, `stream Content-Type ${reading.contentType}, want application/x-ndjson`);
  assert.equal(reading.lines.length, count, `want ${count} NDJSON lines, got ${reading.lines.length}`);
  reading.lines.forEach((line, i) => {
    const item = JSON.parse(line.text) as { position?: unknown; recommendation?: { item_id?: unknown } };
    assert.equal(item.position, i, `line ${i} has position ${String(item.position)}: ${line.text}`);
    assert.equal(typeof item.recommendation?.item_id, 'string', `line ${i} carries a recommendation: ${line.text}`);
  });
}

export default defineProbes([
  {
    name: 'the stream arrives line by line: NDJSON, flushed per item (steps 4-5)',
    async run(ctx) {
      // A buffering or unflushed handler delivers all 8 lines in one piece, after the last
      // lookup; a streaming one spreads them over ~(8-1) lookups. Up to 3 tries absorb a
      // busy machine (a buffering handler never passes one).
      const spans: string[] = [];
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const reading = await readStream(ctx.baseUrl + STREAM);
        checkItems(reading, ITEMS);
        const first = reading.lines[0]?.at ?? 0;
        const last = reading.lines[ITEMS - 1]?.at ?? 0;
        spans.push(`${reading.reads} reads, first line at ${first.toFixed(1)} ms, last at ${last.toFixed(1)} ms`);
        if (reading.reads >= 2 && last - first >= 3 * DELAY_MS) return;
      }
      assert.fail(
        `the ${ITEMS} lines arrived all at once (${spans.join('; ')}), with the recommender spending ${DELAY_MS} ms per item: ` +
          `the gateway collects the stream or does not flush each line; ${TODO}`,
      );
    },
  },
  {
    name: 'a client that aborts mid-stream leaves the gateway answering (step 6)',
    async run(ctx) {
      for (let i = 0; i < 5; i += 1) {
        const partial = await readStream(ctx.baseUrl + STREAM, 1);
        assert.equal(partial.status, 200, `stream ${i}: status ${partial.status}, want 200`);
        assert.ok(partial.lines.length >= 1, `stream ${i}: no first line before the abort`);
      }
      const health = await ctx.request('GET', '/healthz');
      assert.equal(health.status, 200, `after 5 aborted streams GET /healthz answers ${health.status}, want 200`);
      checkItems(await readStream(ctx.baseUrl + STREAM), ITEMS);
      const unary = await ctx.request('GET', '/users/u-1/recommendations?language=es&limit=3', undefined, headers());
      assert.equal(unary.status, 200, `after aborted streams GET /users/u-1/recommendations answers ${unary.status}, want 200: ${unary.text.slice(0, 200)}`);
    },
  },
]);
