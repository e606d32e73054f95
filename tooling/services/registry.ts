/**
 * How to start each reference service on a given port: used by lab probes, the contract suite
 * and benchmarks, so there is one place that knows a service's command line and health path.
 */
import path from 'node:path';
import type { ServiceSpec } from '../lab-engine/process.ts';

export interface ServiceDefinition {
  /** Tools the command needs, resolved (and reported when missing) before anything starts. */
  readonly tools: readonly string[];
  /** Services started first (e.g. an upstream simulator); their base URLs reach `spec` by name. */
  readonly needs?: readonly string[];
  spec(root: string, port: number, tools: ReadonlyMap<string, string>, needs: ReadonlyMap<string, string>): ServiceSpec;
}

export const services: Readonly<Record<string, ServiceDefinition>> = {
  'python-catalog': {
    tools: ['python'],
    spec: (root, port, tools) => ({
      command: tools.get('python') ?? 'python3',
      args: ['-m', 'catalog', '--host', '127.0.0.1', '--port', String(port)],
      cwd: root,
      env: { ...process.env, PYTHONPATH: path.join(root, 'python/services/catalog/src'), PYTHONUNBUFFERED: '1' },
      healthPath: '/healthz',
      port,
    }),
  },
};

/** Every tool a service and the services it needs use, in start order. */
export function toolsOfService(name: string, seen: Set<string> = new Set()): string[] {
  const definition = services[name];
  if (!definition || seen.has(name)) return [];
  seen.add(name);
  return [...(definition.needs ?? []).flatMap((need) => toolsOfService(need, seen)), ...definition.tools];
}
