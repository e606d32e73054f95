// The production shape, checked offline: the compose file (no Docker engine here, and no compose
// plugin: `docker compose config` is not available), the Prometheus and collector configs it
// mounts, the Kubernetes manifests, the generated AnalysisTemplate and the kube-score gate.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { kitDockerfiles } from '../../dockerfile/files.ts';
import { hasNoShell, lintDockerfile } from '../../dockerfile/lint.ts';
import { findTool } from '../../toolchain/tools.ts';
import { canaryQueries, renderQuery } from '../canary/queries.ts';
import { ANALYSIS_TEMPLATE_PATH, CLUSTER_WINDOW, analysisTemplateDrift, renderAnalysisTemplate } from './analysis-template.ts';
import { deployGates } from './deploy-gates.ts';
import { K8S_DIR, forKubeScore, kubeScore, manifestFiles } from './kube-score.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const deployDir = path.join(root, 'tooling/rollout/deploy');

type Obj = Record<string, any>;
const readYaml = (file: string): Obj => parse(readFileSync(file, 'utf8'), { merge: true }) as Obj;
const readDocs = (file: string): Obj[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Obj).filter((d) => d !== null);

const compose = readYaml(path.join(deployDir, 'compose.yaml'));
const services = Object.entries(compose['services'] as Record<string, Obj>);
const manifests = manifestFiles(root).flatMap((f) => readDocs(path.join(root, f)));
const workloads = manifests.filter((m) => m['kind'] === 'Deployment' || m['kind'] === 'Rollout');

/** The final stage's base image of a Dockerfile. */
const finalBase = (file: string): string => {
  const froms = readFileSync(file, 'utf8').split('\n').filter((l) => /^FROM\s/i.test(l));
  return (froms.at(-1) ?? '').split(/\s+/)[1] ?? '';
};

describe('compose.yaml', () => {
  it('holds the whole stack', () => {
    expect(services.map(([name]) => name).sort()).toEqual(['catalog-go', 'catalog-python', 'gateway', 'otel-collector', 'prometheus', 'recommender-v1', 'recommender-v2']);
  });

  it.each(services)('%s: pinned image, hardened, ports on 127.0.0.1 only', (_name, svc) => {
    const image = String(svc['image'] ?? '');
    // A version tag, never latest (built images get the kit's version; third-party a release).
    expect(image).toMatch(/^[a-z0-9./_-]+:(v?\d+\.\d+\.\d+)$/);
    expect(svc['privileged']).not.toBe(true);
    expect(svc['network_mode']).toBeUndefined();
    expect(svc['pid']).toBeUndefined();
    expect(svc['read_only']).toBe(true);
    expect(svc['cap_drop']).toEqual(['ALL']);
    expect(svc['cap_add']).toBeUndefined();
    expect(svc['security_opt']).toContain('no-new-privileges:true');
    expect(svc['user'] === undefined || !/^(root|0)(:|$)/.test(String(svc['user']))).toBe(true);
    for (const port of (svc['ports'] ?? []) as string[]) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it.each(services)('%s: a healthcheck, or a stated reason its image cannot run one', (_name, svc) => {
    const health = svc['healthcheck'] as Obj | undefined;
    if (health !== undefined) {
      expect(health['disable']).not.toBe(true);
      expect(health['test'][0]).toBe('CMD');
      expect(health['test'].length).toBeGreaterThan(1);
      return;
    }
    expect(String(svc['x-healthcheck-exempt'] ?? '')).toMatch(/no shell|scratch/);
    // The reason must be true: a built image's final stage has no shell.
    const build = svc['build'] as Obj | undefined;
    if (build !== undefined) {
      const dockerfile = path.resolve(deployDir, build['context'], build['dockerfile'] ?? 'Dockerfile');
      expect(hasNoShell(finalBase(dockerfile))).toBe(true);
    }
  });

  it('builds each image from a Dockerfile of the repo that the kit linter accepts', () => {
    const linted = new Set(kitDockerfiles(root));
    const built = services.filter(([, svc]) => svc['build'] !== undefined);
    expect(built.map(([n]) => n).sort()).toEqual(['catalog-go', 'catalog-python', 'gateway', 'recommender-v1', 'recommender-v2']);
    for (const [, svc] of built) {
      const context = path.resolve(deployDir, svc['build']['context']);
      const dockerfile = path.resolve(context, svc['build']['dockerfile'] ?? 'Dockerfile');
      expect(existsSync(dockerfile)).toBe(true);
      expect(linted.has(path.relative(root, dockerfile))).toBe(true);
      expect(lintDockerfile(readFileSync(dockerfile, 'utf8'))).toEqual([]);
      // Every COPY source (outside --from) exists in the build context.
      for (const line of readFileSync(dockerfile, 'utf8').split('\n')) {
        const copy = /^COPY\s+(?!--from)(.+)\s+\S+$/.exec(line);
        if (copy) for (const src of (copy[1] ?? '').split(/\s+/)) expect(existsSync(path.join(context, src)), `${dockerfile}: ${src}`).toBe(true);
      }
    }
  });

  it('runs the recommender at v1 and v2 and the gateway routing between them (all on v1 first)', () => {
    const env = (name: string): Obj => (compose['services'][name]['environment'] ?? {}) as Obj;
    expect(env('recommender-v1')['RECOMMENDER_VERSION']).toBe('v1');
    expect(env('recommender-v2')['RECOMMENDER_VERSION']).toBe('v2');
    const upstreams = Object.fromEntries(String(env('gateway')['GATEWAY_RECOMMENDERS']).split(',').map((p) => p.split('=') as [string, string]));
    expect(upstreams).toEqual({ v1: 'recommender-v1:50051', v2: 'recommender-v2:50051' });
    const weights = Object.fromEntries(String(env('gateway')['GATEWAY_WEIGHTS']).split(',').map((p) => { const [k, v] = p.split('='); return [k, Number(v)]; }));
    expect(weights).toEqual({ v1: 100, v2: 0 });
    expect(Object.keys(compose['services']['gateway']['depends_on']).sort()).toEqual(['recommender-v1', 'recommender-v2']);
    for (const dep of Object.values(compose['services']['gateway']['depends_on']) as Obj[]) expect(dep['condition']).toBe('service_healthy');
  });

  it('mounts config files that exist', () => {
    for (const [, svc] of services) {
      for (const volume of (svc['volumes'] ?? []) as string[]) {
        const source = volume.split(':')[0] ?? '';
        expect(existsSync(path.resolve(deployDir, source)), volume).toBe(true);
      }
    }
  });
});

describe('prometheus.yml', () => {
  const prom = readYaml(path.join(deployDir, 'prometheus.yml'));
  const jobs = new Map((prom['scrape_configs'] as Obj[]).map((j) => [j['job_name'] as string, j]));

  it('names the jobs of the metric contract', () => {
    expect([...jobs.keys()].sort()).toEqual(['catalog-go', 'catalog-python', 'gateway', 'recommender']);
  });

  it('scrapes each recommender on its metrics port, labelled with the version it runs', () => {
    const targets = (jobs.get('recommender')?.['static_configs'] as Obj[]).flatMap((c) => (c['targets'] as string[]).map((t) => ({ t, version: c['labels']?.['version'] })));
    expect(targets).toHaveLength(2);
    for (const { t, version } of targets) {
      const [host, port] = t.split(':');
      const env = compose['services'][host ?? '']?.['environment'] as Obj;
      expect(env['RECOMMENDER_VERSION']).toBe(version);
      expect(env['RECOMMENDER_METRICS_PORT']).toBe(port);
    }
  });

  it('targets compose services only, and loads the SLO rules', () => {
    for (const job of jobs.values()) for (const c of job['static_configs'] as Obj[]) for (const t of c['targets'] as string[]) expect(compose['services'][t.split(':')[0] ?? '']).toBeDefined();
    expect(prom['rule_files']).toEqual(['/etc/prometheus/rules/*.yml']);
    expect(compose['services']['prometheus']['volumes']).toContain('../rules:/etc/prometheus/rules:ro');
  });
});

describe('otel-collector.yaml', () => {
  it('wires every pipeline to components it defines', () => {
    const otel = readYaml(path.join(deployDir, 'otel-collector.yaml'));
    const pipelines = otel['service']['pipelines'] as Record<string, Obj>;
    expect(Object.keys(pipelines).sort()).toEqual(['logs', 'metrics', 'traces']);
    for (const p of Object.values(pipelines)) {
      for (const kind of ['receivers', 'processors', 'exporters']) for (const c of p[kind] as string[]) expect(otel[kind]).toHaveProperty([c]);
    }
    for (const e of otel['service']['extensions'] as string[]) expect(otel['extensions']).toHaveProperty([e]);
  });
});

describe('Kubernetes manifests', () => {
  it('one workload per service; the recommender is an Argo Rollout', () => {
    expect(workloads.map((w) => `${w['kind']}/${w['metadata']['name']}`).sort()).toEqual(['Deployment/catalog-go', 'Deployment/catalog-python', 'Deployment/gateway', 'Rollout/recommender']);
  });

  it.each(workloads.map((w) => [w['metadata']['name'] as string, w]))('%s: probes, resources, non-root, a PDB, a Service', (name, w) => {
    const pod = w['spec']['template']['spec'] as Obj;
    const labels = w['spec']['template']['metadata']['labels'] as Obj;
    expect(w['spec']['selector']['matchLabels']).toEqual(labels);
    expect(pod['securityContext']).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of pod['containers'] as Obj[]) {
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) expect(c[probe], `${name} ${probe}`).toBeDefined();
      if (name === 'recommender') for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) expect(c[probe]['grpc']).toBeDefined();
      for (const kind of ['requests', 'limits']) for (const r of ['cpu', 'memory']) expect(c['resources'][kind][r], `${name} ${kind}.${r}`).toBeDefined();
      expect(c['securityContext']).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
      expect(c['securityContext']['runAsUser']).toBeGreaterThan(10000);
      expect(String(c['image'])).toMatch(/:\d+\.\d+\.\d+$/);
    }
    const selects = (m: Obj, sel: Obj | undefined): boolean => sel !== undefined && Object.entries(sel).every(([k, v]) => labels[k] === v) && m['metadata']['namespace'] === w['metadata']['namespace'];
    expect(manifests.some((m) => m['kind'] === 'PodDisruptionBudget' && selects(m, m['spec']['selector']['matchLabels']))).toBe(true);
    expect(manifests.some((m) => m['kind'] === 'Service' && selects(m, m['spec']['selector']))).toBe(true);
    expect(manifests.some((m) => m['kind'] === 'NetworkPolicy' && selects(m, m['spec']['podSelector']['matchLabels']))).toBe(true);
  });

  it('kustomization.yaml lists every manifest, and the deploy job overrides every image', () => {
    const kustomization = readYaml(path.join(root, K8S_DIR, 'kustomization.yaml'));
    const others = manifestFiles(root).map((f) => path.basename(f)).filter((f) => f !== 'kustomization.yaml');
    expect([...(kustomization['resources'] as string[])].sort()).toEqual(others);
    const deployJob = readFileSync(path.join(root, 'tooling/ci/github/deploy.yml'), 'utf8');
    const loop = /for name in ([a-z -]+); do\n\s+echo " {2}- name: (\S+)\$name"/.exec(deployJob);
    const images = workloads.flatMap((w) => (w['spec']['template']['spec']['containers'] as Obj[]).map((c) => String(c['image']).split(':')[0]));
    expect(images.sort()).toEqual((loop?.[1] ?? '').split(' ').map((n) => `${loop?.[2] ?? ''}${n}`).sort());
  });

  it('the Rollout steps through 5, 25, 50, 100 % with the generated analysis after each step short of 100', () => {
    const rollout = workloads.find((w) => w['kind'] === 'Rollout') as Obj;
    const steps = rollout['spec']['strategy']['canary']['steps'] as Obj[];
    expect(steps.filter((s) => 'setWeight' in s).map((s) => s['setWeight'])).toEqual([5, 25, 50, 100]);
    const template = manifests.find((m) => m['kind'] === 'AnalysisTemplate') as Obj;
    steps.forEach((s, i) => {
      if ('setWeight' in s && s['setWeight'] !== 100) {
        const next = steps[i + 1]?.['analysis'] as Obj;
        expect(next['templates']).toEqual([{ templateName: template['metadata']['name'] }]);
        expect(next['args']).toEqual([{ name: 'version', valueFrom: { podTemplateHashValue: 'Latest' } }]);
      }
    });
  });
});

describe('the AnalysisTemplate (generated from tooling/rollout/canary/queries.ts)', () => {
  const temp = mkdtempSync(path.join(tmpdir(), 'analysis-drift-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('is committed as generated (the drift gate passes)', () => {
    expect(analysisTemplateDrift(root)).toEqual({ ok: true });
  });

  it('holds one metric per canary query, the same PromQL, judged result[0] <= max', () => {
    const doc = parse(renderAnalysisTemplate()) as Obj;
    const metrics = doc['spec']['metrics'] as Obj[];
    expect(metrics.map((m) => m['name'])).toEqual(canaryQueries.map((q) => q.name));
    canaryQueries.forEach((q, i) => {
      expect(metrics[i]?.['provider']['prometheus']['query']).toBe(renderQuery(q, { version: '{{args.version}}', window: CLUSTER_WINDOW }));
      expect(metrics[i]?.['successCondition']).toBe(`result[0] <= ${q.max}`);
      expect(metrics[i]?.['failureLimit']).toBe(0);
    });
    expect(doc['spec']['args'].map((a: Obj) => a['name'])).toContain('version');
  });

  it('the drift check fails on an edited or missing file', () => {
    const file = path.join(temp, ANALYSIS_TEMPLATE_PATH);
    mkdirSync(path.dirname(file), { recursive: true });
    expect(analysisTemplateDrift(temp)).toMatchObject({ ok: false, message: expect.stringContaining('missing') });
    writeFileSync(file, renderAnalysisTemplate().replace('result[0] <= 0.01', 'result[0] <= 0.05'));
    expect(analysisTemplateDrift(temp)).toMatchObject({ ok: false, message: expect.stringContaining('differs') });
    writeFileSync(file, renderAnalysisTemplate());
    expect(analysisTemplateDrift(temp)).toEqual({ ok: true });
  });
});

describe('kit: kube-score', () => {
  const bin = findTool(root, 'kube-score');
  const temp = mkdtempSync(path.join(tmpdir(), 'kube-score-test-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  const committed = path.join(root, K8S_DIR, 'catalog-go.yaml');
  /** catalog-go.yaml with one edit, as a temp file. */
  const edited = (name: string, edit: (text: string) => string): string => {
    const file = path.join(temp, name);
    writeFileSync(file, edit(readFileSync(committed, 'utf8')));
    return file;
  };

  it('is wired as two kit gates over every manifest', () => {
    const gates = deployGates(root, () => '/x/kube-score');
    expect(gates.map((g) => g.name)).toEqual(['kit: analysis template drift', 'kit: kube-score (k8s manifests)']);
    expect(gates[1]?.args.slice(1)).toEqual(manifestFiles(root));
    expect(gates.every((g) => g.scope === 'kit' && g.skip === undefined)).toBe(true);
    // Not installed: the row is `missing` (runGate looks the command up), never a silent pass.
    expect(deployGates(root, () => undefined)[1]?.command).toBe('kube-score');
  });

  it('hands a Rollout to kube-score as a Deployment and leaves AnalysisTemplates out', () => {
    const rollout = manifests.find((m) => m['kind'] === 'Rollout') as Obj;
    const mapped = forKubeScore(rollout) as Obj;
    expect(mapped).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: rollout['spec']['template'], replicas: rollout['spec']['replicas'] } });
    expect(mapped['spec']['strategy']['canary']).toBeUndefined();
    expect(forKubeScore(manifests.find((m) => m['kind'] === 'AnalysisTemplate') as Obj)).toBeUndefined();
  });

  const needsBin = bin === undefined && process.env['CI'] !== 'true';
  it.skipIf(needsBin)('passes on the committed manifests', async () => {
    const result = await kubeScore(bin ?? 'kube-score', manifestFiles(root).map((f) => path.join(root, f)));
    expect(result.output).not.toMatch(/CRITICAL|WARNING/);
    expect(result.code).toBe(0);
  });

  it.skipIf(needsBin)('FAILS on a Deployment without resource limits, naming the file and the check', async () => {
    const file = edited('no-limits.yaml', (t) => t.replace(/\n\s+limits: \{[^}]*\}/, ''));
    expect(readFileSync(file, 'utf8')).not.toContain('limits:');
    const result = await kubeScore(bin ?? 'kube-score', [file]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Container Resources');
    expect(result.output).toContain(file);
  });

  it.skipIf(needsBin)('FAILS on a Deployment with a writable root filesystem', async () => {
    const file = edited('writable.yaml', (t) => t.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'));
    const result = await kubeScore(bin ?? 'kube-score', [file]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/read only|ReadOnlyRootFilesystem/i);
  });

  it.skipIf(needsBin)('FAILS on a Rollout whose pod has no limits (the Rollout is linted, not skipped)', async () => {
    const source = readFileSync(path.join(root, K8S_DIR, 'recommender.yaml'), 'utf8');
    const file = path.join(temp, 'rollout-no-limits.yaml');
    writeFileSync(file, source.replace(/\n\s+limits: \{[^}]*\}/, ''));
    const result = await kubeScore(bin ?? 'kube-score', [file]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Deployment recommender');
    expect(result.output).toContain('Container Resources');
  });
});
