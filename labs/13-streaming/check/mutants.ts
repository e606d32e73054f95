/**
 * Plausible wrong solutions of lab 13. kit verify applies each to the solved tree and requires
 * `pnpm lab 13 check` to FAIL on a behavioural step (pytest, go-test or the probe), not only a
 * linter.
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const service = 'python/services/recommender/src/recommender/service.py';
const http = 'go/services/gateway/internal/ports/http.go';

export default defineMutants([
  {
    name: 'an unbounded queue (a slow client lets the producer run to the end: memory grows)',
    file: service,
    find: '        queue: asyncio.Queue[model.Ranked | None] = asyncio.Queue(\n            maxsize=self._settings.stream_buffer\n        )\n',
    replace: '        queue: asyncio.Queue[model.Ranked | None] = asyncio.Queue()\n',
  },
  {
    name: 'no producer.cancel() in finally (a cancelled stream waits on a producer blocked on a full queue)',
    file: service,
    find: '        finally:\n            producer.cancel()\n            await asyncio.gather(producer, return_exceptions=True)\n',
    replace: '        finally:\n            await asyncio.gather(producer, return_exceptions=True)\n',
  },
  {
    name: 'no finally at all (the producer outlives a cancelled stream)',
    file: service,
    find: '        finally:\n            producer.cancel()\n            await asyncio.gather(producer, return_exceptions=True)\n',
    replace: '        except Exception:\n            producer.cancel()\n            raise\n',
  },
  {
    name: 'the producer swallows CancelledError (skips the item and carries on)',
    file: service,
    find: '            await self._look_up(one)\n            await queue.put(one)  # blocks while the queue is full: backpressure\n',
    replace:
      '            try:\n                await self._look_up(one)\n            except asyncio.CancelledError:\n                continue  # a lookup cut short: skip that item, keep the stream going\n            await queue.put(one)  # blocks while the queue is full: backpressure\n',
  },
  {
    name: 'no flush (net/http buffers the lines: the client sees them at the end)',
    file: http,
    find: '\t\tif err := flusher.Flush(); err != nil {\n\t\t\treturn nil\n\t\t}\n',
    replace: '\t\t_ = flusher // "the encoder writes straight to the connection"\n',
  },
  {
    name: 'context.WithoutCancel on the stream (a client that leaves does not cancel the gRPC stream)',
    file: http,
    find: '\tstream, err := s.client.StreamRecommendations(ctx, query.StreamRequestToProto())\n',
    replace: '\tstream, err := s.client.StreamRecommendations(context.WithoutCancel(ctx), query.StreamRequestToProto())\n',
  },
]);
