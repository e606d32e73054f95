/**
 * Gate `kit: kube-score`: kube-score (pinned in toolchain.json, .tools/bin/kube-score) over every
 * manifest under tooling/rollout/deploy/k8s, offline.
 *
 * kube-score knows only core kinds: it SKIPS an Argo `Rollout` and an `AnalysisTemplate`
 * without a word (unknown kinds are not parsed), so the recommender's pod spec would go
 * unlinted and its Services and NetworkPolicy would look as if they target nothing. So each
 * Rollout is handed to kube-score as the Deployment it stands for (same metadata, selector,
 * replicas and pod template; the canary strategy dropped) and every check that applies to a
 * Deployment runs on it. AnalysisTemplates hold no pod: they are left out.
 *
 *   node tooling/rollout/deploy/kube-score.ts [FILE...]   exit 0 clean, 1 findings, 2 no kube-score
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { run } from '../../lab-engine/process.ts';
import { findTool } from '../../toolchain/tools.ts';

export const K8S_DIR = 'tooling/rollout/deploy/k8s';

/**
 * The flags the gate runs with. Warnings fail too; the optional seccomp and ports checks are on;
 * `kube-score/ignore` annotations are disabled, so a check is only ever turned off HERE
 * (`--ignore-test`, with its reason in DESIGN.md) — none is at the moment.
 */
export const KUBE_SCORE_ARGS: readonly string[] = [
  'score',
  '--color', 'never',
  '--exit-one-on-warning',
  '--kubernetes-version', 'v1.30',
  '--enable-optional-test', 'container-seccomp-profile',
  '--enable-optional-test', 'container-ports-check',
  '--disable-ignore-checks-annotations',
];

/** The manifests under root's k8s folder, repository-relative, sorted. */
export function manifestFiles(root: string): string[] {
  const dir = path.join(root, K8S_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => `${K8S_DIR}/${f}`);
}

type Manifest = Record<string, unknown> & { kind?: unknown; apiVersion?: unknown; spec?: unknown };

/** An Argo Rollout as the Deployment kube-score can lint; other kinds unchanged; pod-less Argo kinds dropped. */
export function forKubeScore(doc: Manifest): Manifest | undefined {
  const argo = typeof doc.apiVersion === 'string' && doc.apiVersion.startsWith('argoproj.io/');
  if (!argo) return doc;
  if (doc.kind !== 'Rollout') return undefined;
  const spec = { ...(doc.spec as Record<string, unknown>) };
  delete spec['strategy'];
  delete spec['workloadRef'];
  return { ...doc, apiVersion: 'apps/v1', kind: 'Deployment', spec: { ...spec, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } };
}

/** Writes what kube-score should see for `files` into `outDir`; returns the paths written. */
export function prepare(files: readonly string[], outDir: string): string[] {
  const written: string[] = [];
  files.forEach((file, i) => {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    const out: string[] = [];
    for (const d of docs) {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]?.message ?? 'YAML error'}`);
      const value = d.toJS() as Manifest | null;
      if (value === null) continue;
      const mapped = forKubeScore(value);
      if (mapped !== undefined) out.push(stringify(mapped));
    }
    if (out.length === 0) return;
    const target = path.join(outDir, `${String(i).padStart(2, '0')}-${path.basename(file)}`);
    writeFileSync(target, out.join('---\n'));
    written.push(target);
  });
  return written;
}

export interface ScoreResult {
  readonly code: number;
  readonly output: string;
}

/** Runs kube-score (the executable `kubeScore`) over `files` (absolute or cwd-relative). */
export async function kubeScore(kubeScore: string, files: readonly string[]): Promise<ScoreResult> {
  const work = mkdtempSync(path.join(tmpdir(), 'kube-score-'));
  try {
    const prepared = prepare(files, work);
    const ran = await run(kubeScore, [...KUBE_SCORE_ARGS, ...prepared], { cwd: work, timeoutMs: 60_000 });
    // Name the committed file, not the temp copy, in kube-score's `path=` lines.
    let output = `${ran.stdout}${ran.stderr}`;
    prepared.forEach((p, i) => {
      output = output.replaceAll(p, files[i] ?? p);
    });
    return { code: ran.code ?? 1, output };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const bin = findTool(root, 'kube-score');
  if (bin === undefined) {
    console.log('kube-score missing from .tools/bin: run pnpm run bootstrap (or see pnpm run doctor)');
    process.exit(2);
  }
  const args = process.argv.slice(2);
  const files = args.length > 0 ? args : manifestFiles(root).map((f) => path.join(root, f));
  const result = await kubeScore(bin, files);
  console.log(result.output.trimEnd());
  process.exitCode = result.code === 0 ? 0 : 1;
}
