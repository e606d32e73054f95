/**
 * Runs a set of probe cases as vitest tests against each named service: the service (and the
 * services it needs) started on free ports with tooling/services/start.ts — as a lab probe
 * would start it — one test per case, the stack stopped afterwards. Used by every contract
 * suite, so a difference between the catalogs shows up as a failing test of one service.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { httpContext, type ProbeCase, type ProbeContext } from '../probes/probe.ts';
import { serviceTools, startStack, type StackOutcome } from '../services/start.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function runContractAgainst(title: string, serviceNames: readonly string[], casesFor: (service: string) => ProbeCase[]): void {
  for (const service of serviceNames) {
    // Tests of a file run one after another: cases may share a simulator's configuration.
    describe(`${title}: ${service}`, () => {
      let stack: StackOutcome | undefined;
      let ctx: ProbeContext | undefined;

      beforeAll(async () => {
        const { tools, missing } = serviceTools(root, [service]);
        if (missing.length > 0) throw new Error(`${service} needs ${missing.join(', ')}: not found — run npm run bootstrap`);
        // A cold `go run` compiles first; give it longer than a warm start needs.
        stack = await startStack(root, service, tools, 50_000);
        if (stack.status !== 'started') throw new Error(`${service} did not start: ${stack.message}`);
        ctx = httpContext(stack.main.baseUrl, stack.urls);
      }, 60_000);

      afterAll(async () => {
        if (stack?.status === 'started') await stack.stop();
      });

      for (const c of casesFor(service)) {
        it(c.name, async () => {
          if (!ctx) throw new Error(`${service} is not running`);
          await c.run(ctx);
        }, 20_000);
      }
    });
  }
}
