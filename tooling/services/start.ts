/**
 * Starts a service after the services it needs (each on its own free port, each waited for),
 * and stops them all in reverse order. A service that does not start is reported with its
 * name and last output, and whatever already started is stopped.
 */
import { freePort, lastLinesOf, startService, type RunningService } from '../lab-engine/process.ts';
import { findTool } from '../toolchain/tools.ts';
import { services, toolsOfService } from './registry.ts';

/** The tools the named services (and what they need) use, found in the tree or on PATH; `missing` names the rest. */
export function serviceTools(root: string, names: readonly string[]): { tools: Map<string, string>; missing: string[] } {
  const tools = new Map<string, string>();
  const missing: string[] = [];
  for (const name of new Set(names.flatMap((n) => toolsOfService(n)))) {
    const found = findTool(root, name);
    if (found) tools.set(name, found);
    else missing.push(name);
  }
  return { tools, missing };
}

export type StackOutcome =
  | {
      readonly status: 'started';
      /** Base URL of every started service, by name (the requested one included). */
      readonly urls: ReadonlyMap<string, string>;
      readonly main: RunningService;
      stop(): Promise<void>;
    }
  | { readonly status: 'failed'; readonly service: string; readonly message: string };

export async function startStack(root: string, name: string, tools: ReadonlyMap<string, string>, deadlineMs = 20_000): Promise<StackOutcome> {
  const running: RunningService[] = [];
  const urls = new Map<string, string>();
  const stop = async (): Promise<void> => {
    for (const service of running.reverse()) await service.stop();
  };
  const order = startOrder(name);
  for (const next of order) {
    const definition = services[next];
    if (!definition) {
      await stop();
      return { status: 'failed', service: next, message: `unknown service "${next}"` };
    }
    const port = await freePort();
    const outcome = await startService({ ...definition.spec(root, port, tools, urls), deadlineMs });
    if (outcome.status !== 'started') {
      await stop();
      const said = outcome.status === 'exited' ? `exited with status ${String(outcome.code)}` : `was not healthy within ${deadlineMs / 1000} s (${outcome.lastError})`;
      return { status: 'failed', service: next, message: `${next} ${said}:\n${lastLinesOf(outcome.output, 10)}` };
    }
    running.push(outcome.service);
    urls.set(next, outcome.service.baseUrl);
  }
  const main = running.at(-1);
  if (!main) return { status: 'failed', service: name, message: 'nothing to start' };
  return { status: 'started', urls, main, stop };
}

/** Needs first (depth first, each once), the service itself last. */
export function startOrder(name: string, seen: Set<string> = new Set()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  return [...(services[name]?.needs ?? []).flatMap((need) => startOrder(need, seen)), name];
}
