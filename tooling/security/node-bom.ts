/** A CycloneDX 1.6 document from `pnpm list --json --depth Infinity` (one entry per project). */
import { randomUUID } from 'node:crypto';

export interface PnpmListEntry {
  name?: string;
  version?: string;
  resolved?: string;
  dependencies?: Record<string, PnpmListEntry>;
  devDependencies?: Record<string, PnpmListEntry>;
  optionalDependencies?: Record<string, PnpmListEntry>;
}

interface Component {
  type: 'library' | 'application';
  'bom-ref': string;
  name: string;
  version: string;
  purl: string;
  group?: string;
}

function purl(name: string, version: string): string {
  const at = name.startsWith('@') ? name.replace('@', '%40') : name;
  return `pkg:npm/${at}@${encodeURIComponent(version)}`;
}

function component(name: string, version: string, type: Component['type'] = 'library'): Component {
  const ref = purl(name, version);
  const c: Component = { type, 'bom-ref': ref, name, version, purl: ref };
  if (name.startsWith('@')) {
    const [group, bare] = name.split('/');
    if (group && bare) {
      c.group = group;
      c.name = bare;
    }
  }
  return c;
}

export function nodeBom(list: readonly PnpmListEntry[]): Record<string, unknown> {
  const components = new Map<string, Component>();
  const edges = new Map<string, Set<string>>();
  const walk = (parentRef: string, deps: Record<string, PnpmListEntry> | undefined): void => {
    for (const [name, dep] of Object.entries(deps ?? {})) {
      // Links to workspace folders ("link:...") carry no registry version.
      if (!dep.version || dep.version.startsWith('link:') || dep.version.startsWith('file:')) continue;
      const c = component(name, dep.version);
      edges.get(parentRef)?.add(c['bom-ref']);
      if (components.has(c['bom-ref'])) continue;
      components.set(c['bom-ref'], c);
      edges.set(c['bom-ref'], new Set());
      walk(c['bom-ref'], dep.dependencies);
      walk(c['bom-ref'], dep.optionalDependencies);
    }
  };
  const top = list[0];
  const main = component(top?.name ?? 'project', top?.version ?? '0.0.0', 'application');
  edges.set(main['bom-ref'], new Set());
  for (const project of list) {
    walk(main['bom-ref'], project.dependencies);
    walk(main['bom-ref'], project.devDependencies);
    walk(main['bom-ref'], project.optionalDependencies);
  }
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: new Date().toISOString(),
      tools: { components: [{ type: 'application', name: 'language-tracks scripts/sbom.ts' }] },
      component: main,
    },
    components: [...components.values()].sort((a, b) => a['bom-ref'].localeCompare(b['bom-ref'])),
    dependencies: [...edges.entries()].map(([ref, on]) => ({ ref, dependsOn: [...on].sort() })),
  };
}
