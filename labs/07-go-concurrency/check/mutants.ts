/**
 * Plausible wrong solutions of lab 7. kit verify applies each to the solved tree and requires
 * `pnpm lab 7 check` to FAIL on a behavioural step (go-test or the probe), not only a linter.
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const aggregator = 'go/services/catalog/internal/fanout/aggregator.go';

export default defineMutants([
  {
    name: 'sequential calls (no goroutine per part)',
    file: aggregator,
    find: '\t\tgroup.Go(func() error {\n\t\t\tpart := a.part(groupCtx, name, productID)\n\t\t\tmu.Lock()\n\t\t\tparts[name] = part\n\t\t\tmu.Unlock()\n\t\t\treturn nil\n\t\t})\n',
    replace: '\t\tpart := a.part(groupCtx, name, productID)\n\t\tmu.Lock()\n\t\tparts[name] = part\n\t\tmu.Unlock()\n',
  },
  {
    name: 'the context is not passed down (context.Background() in the call)',
    file: aggregator,
    find: '\treturn a.upstreams[name].Fetch(callCtx, productID)\n',
    replace: '\t_ = callCtx\n\treturn a.upstreams[name].Fetch(context.Background(), productID)\n',
  },
  {
    name: 'a goroutine leak (the call runs in a goroutine sending on an unbuffered channel nobody reads after the timeout)',
    file: aggregator,
    find: '\treturn a.upstreams[name].Fetch(callCtx, productID)\n',
    replace:
      '\ttype answer struct {\n\t\traw []byte\n\t\terr error\n\t}\n\tdone := make(chan answer)\n\tgo func() {\n\t\traw, err := a.upstreams[name].Fetch(callCtx, productID)\n\t\tdone <- answer{raw, err}\n\t}()\n\tselect {\n\tcase got := <-done:\n\t\treturn got.raw, got.err\n\tcase <-callCtx.Done():\n\t\treturn nil, callCtx.Err()\n\t}\n',
  },
  {
    name: 'an unbounded pool (no semaphore around the call)',
    file: aggregator,
    find: '\tif err := a.slots.Acquire(ctx, 1); err != nil {\n\t\treturn nil, fmt.Errorf("%s: waiting for a slot: %w", name, err)\n\t}\n\tdefer a.slots.Release(1)\n',
    replace: '',
  },
  {
    name: 'a data race (the shared map written from goroutines without the lock)',
    file: aggregator,
    find: '\t\t\tmu.Lock()\n\t\t\tparts[name] = part\n\t\t\tmu.Unlock()\n',
    replace: '\t\t\t_ = &mu // "each goroutine writes its own key, no lock needed"\n\t\t\tparts[name] = part\n',
  },
  {
    name: 'no overall deadline',
    file: aggregator,
    find: '\tctx, cancel := context.WithTimeout(ctx, a.policy.Deadline)\n',
    replace: '\tctx, cancel := context.WithCancel(ctx)\n',
  },
]);
