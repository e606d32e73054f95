/**
 * The product-details fan-out, run against BOTH catalogs with the upstream simulator: each
 * stack (simulator, then catalog) is started on free ports with tooling/services/start.ts, as
 * a lab probe would start it; every case of fanoutContract() becomes one vitest test. A
 * difference between the catalogs is fixed in a service, never papered over here.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { httpContext, type ProbeContext } from '../probes/probe.ts';
import { toolsOfService } from '../services/registry.ts';
import { startStack, type StackOutcome } from '../services/start.ts';
import { findTool } from '../toolchain/tools.ts';
import { fanoutContract } from './fanout-cases.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

for (const service of ['python-catalog-fanout', 'go-catalog-fanout']) {
  // Tests of a file run one after another: the cases share the simulator's configuration.
  describe(`fan-out contract: ${service}`, () => {
    let stack: StackOutcome | undefined;
    let ctx: ProbeContext | undefined;

    beforeAll(async () => {
      const tools = new Map<string, string>();
      for (const name of toolsOfService(service)) {
        const found = findTool(root, name);
        if (!found) throw new Error(`${service} needs ${name}: not found — run npm run bootstrap`);
        tools.set(name, found);
      }
      // A cold `go run` compiles first; give it longer than a warm start needs.
      stack = await startStack(root, service, tools, 50_000);
      if (stack.status !== 'started') throw new Error(`${service} did not start: ${stack.message}`);
      ctx = httpContext(stack.main.baseUrl, stack.urls);
    }, 60_000);

    afterAll(async () => {
      if (stack?.status === 'started') await stack.stop();
    });

    for (const c of fanoutContract({ todo: `the ${service} reference service` })) {
      it(c.name, async () => {
        if (!ctx) throw new Error(`${service} is not running`);
        await c.run(ctx);
      }, 20_000);
    }
  });
}
