/** Finds the labs under `labs/`, loads and validates their manifests, and resolves `N` arguments. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ManifestError, UsageError } from './errors.ts';
import { firstIssue, manifestSchema, type Manifest } from './manifest.ts';

export interface Lab {
  /** 3 for `labs/03-hexagonal`. */
  readonly number: number;
  /** `03`: how the lab is named in commands, backups and progress. */
  readonly id: string;
  /** `03-hexagonal`: the folder name. */
  readonly slug: string;
  /** Absolute path of the lab folder. */
  readonly dir: string;
  readonly manifest: Manifest;
  /** The marker every starter carries where the attendee's work goes: `TODO(lab 3)`. */
  readonly todoMarker: string;
}

const LAB_DIR = /^(\d{2})-([a-z0-9][a-z0-9-]*)$/;

export async function loadLabs(root: string): Promise<Lab[]> {
  const labsRoot = path.join(root, 'labs');
  if (!existsSync(labsRoot)) throw new UsageError(`no labs/ folder under ${root}`);
  const folders = readdirSync(labsRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && LAB_DIR.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const labs = await Promise.all(folders.map((slug) => loadLab(root, slug)));
  const seen = new Map<number, string>();
  for (const lab of labs) {
    const other = seen.get(lab.number);
    if (other) throw new ManifestError(`labs/${lab.slug}`, '', `lab number ${lab.id} is also used by labs/${other}`);
    seen.set(lab.number, lab.slug);
  }
  return labs;
}

async function loadLab(root: string, slug: string): Promise<Lab> {
  const dir = path.join(root, 'labs', slug);
  const file = path.join(dir, 'lab.ts');
  const shown = path.relative(root, file);
  if (!existsSync(file)) throw new ManifestError(shown, '', 'missing: every lab folder needs a lab.ts manifest');
  let exported: unknown;
  try {
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    exported = module.default;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ManifestError(shown, '', `cannot be loaded: ${why}`);
  }
  const parsed = manifestSchema.safeParse(exported);
  if (!parsed.success) {
    const { field, problem } = firstIssue(parsed.error);
    throw new ManifestError(shown, field, problem);
  }
  const manifest = parsed.data;
  manifest.steps.forEach((step, i) => {
    if (step.kind === 'probe' && !existsSync(path.join(dir, step.module))) {
      throw new ManifestError(shown, `steps[${i}].module`, `no file ${step.module} in labs/${slug}`);
    }
  });
  const match = LAB_DIR.exec(slug);
  const id = match?.[1] ?? '00';
  const number = Number(id);
  return { number, id, slug, dir, manifest, todoMarker: `TODO(lab ${number})` };
}

/** Resolves `3`, `03`, `03-hexagonal` or `hexagonal` to a lab; anything else is a usage error. */
export function findLab(labs: readonly Lab[], arg: string): Lab {
  const wanted = arg.trim().toLowerCase();
  const lab = /^\d+$/.test(wanted)
    ? labs.find((l) => l.number === Number(wanted))
    : labs.find((l) => l.slug === wanted || l.slug.slice(3) === wanted);
  if (!lab) throw new UsageError(`unknown lab "${arg}" — \`pnpm lab list\` shows the labs`);
  return lab;
}

/** Labs of the same track with a lower number, in order: the ones lab N builds on. */
export function earlierLabs(labs: readonly Lab[], lab: Lab): Lab[] {
  return labs.filter((l) => l.manifest.module === lab.manifest.module && l.number < lab.number);
}
