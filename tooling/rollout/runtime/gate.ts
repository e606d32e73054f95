/**
 * The `pnpm test` gate of the rollout runtime: tooling/rollout/runtime/live (canary good and
 * faulty, blue-green, drain, cleanup after a run and after Ctrl-C), alone. Prometheus is optional on a
 * laptop (Debian's `prometheus` package): without it the gate is skipped with the fix, except
 * with CI=true, where it runs (and fails on the missing binary).
 */
import type { Gate } from '../../gates/gates.ts';
import { findTool } from '../../toolchain/tools.ts';
import { findPrometheus, PROMETHEUS_FIX } from './prometheus.ts';

export function rolloutGate(root: string, env: NodeJS.ProcessEnv = process.env, find: () => string | undefined = () => findPrometheus(env)): Gate {
  const missing = find() === undefined && env['CI'] !== 'true' ? `prometheus not installed (optional here, required when CI=true): ${PROMETHEUS_FIX}` : undefined;
  return {
    name: 'ts: rollout (canary good/faulty, blue-green, drain, live)',
    scope: 'ts',
    command: findTool(root, 'vitest') ?? 'vitest',
    args: ['run', 'tooling/rollout/runtime/live'],
    cwd: root,
    alone: true,
    ...(missing ? { skip: missing } : {}),
  };
}
