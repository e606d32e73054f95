/**
 * The production-shape gates (scope kit): `kit: analysis template drift` (the committed Argo
 * AnalysisTemplate equals a fresh generation from tooling/rollout/canary/queries.ts) and
 * `kit: kube-score` (every manifest under tooling/rollout/deploy/k8s, Rollouts linted as the
 * Deployments they stand for). kube-score is a required tool (bootstrap installs it): when it
 * is missing the gate reports it missing with the fix, like every other go-installed tool.
 */
import path from 'node:path';
import type { Gate } from '../../gates/gates.ts';
import { findTool } from '../../toolchain/tools.ts';
import { manifestFiles } from './kube-score.ts';

export function deployGates(root: string, findKubeScore: () => string | undefined = () => findTool(root, 'kube-score')): Gate[] {
  const manifests = manifestFiles(root);
  const kubeScore = findKubeScore();
  const dir = path.join(root, 'tooling', 'rollout', 'deploy');
  return [
    { name: 'kit: analysis template drift', scope: 'kit', command: process.execPath, args: [path.join(dir, 'analysis-template.ts'), 'check'], cwd: root },
    {
      name: 'kit: kube-score (k8s manifests)',
      // Run through the node script; `kube-score` itself must be installed, so a missing binary
      // is a `missing` row (runGate checks the command) rather than a failure inside the script.
      scope: 'kit',
      command: kubeScore === undefined ? 'kube-score' : process.execPath,
      args: [path.join(dir, 'kube-score.ts'), ...manifests],
      cwd: root,
      ...(manifests.length === 0 ? { skip: 'no manifests under tooling/rollout/deploy/k8s' } : {}),
    },
  ];
}
