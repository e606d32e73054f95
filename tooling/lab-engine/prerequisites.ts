/**
 * Which earlier labs of a track are not done. A lab is unfinished while one of its owned parts
 * still carries its `TODO(lab N)` marker or is missing: the starter always carries the marker
 * (kit verify proves it) and the solution never does. Cheap enough to run before every check.
 */
import { earlierLabs, type Lab } from './labs.ts';
import { decodeOwned, readCurrentFile, splitRegion } from './owned.ts';

export interface Unfinished {
  readonly lab: Lab;
  /** The owned file that still holds the marker or is missing. */
  readonly file: string;
  readonly why: 'todo' | 'missing';
}

export function unfinishedPart(root: string, lab: Lab): Unfinished | undefined {
  for (const part of lab.manifest.owns) {
    const bytes = readCurrentFile(root, part.path);
    if (bytes === undefined) return { lab, file: part.path, why: 'missing' };
    if (!bytes.includes(lab.todoMarker)) continue;
    // A region part is judged by the region alone: the rest of the file (e.g. a test helper's
    // messages that name the TODO) is not the lab's work. Broken region markers: the whole file.
    if (part.region && !regionHolds(bytes, part.region, part.path, lab)) continue;
    return { lab, file: part.path, why: 'todo' };
  }
  return undefined;
}

function regionHolds(bytes: Buffer, region: string, file: string, lab: Lab): boolean {
  try {
    return splitRegion(decodeOwned(bytes, file, lab), region, file, lab).inner.includes(lab.todoMarker);
  } catch {
    return true;
  }
}

export function unfinishedEarlierLabs(root: string, labs: readonly Lab[], lab: Lab): Unfinished[] {
  return earlierLabs(labs, lab)
    .map((earlier) => unfinishedPart(root, earlier))
    .filter((u): u is Unfinished => u !== undefined);
}

/** The clearly labelled cause a check shows when earlier work is missing. */
export function describeUnfinished(u: Unfinished, current: Lab): string {
  const what = u.why === 'todo' ? `still has ${u.lab.todoMarker} in ${u.file}` : `is missing ${u.file}`;
  return `lab ${u.lab.number} (${u.lab.manifest.title}) is not done: it ${what} — run \`pnpm lab ${u.lab.number} solve\` or \`pnpm lab ${current.number} reset --catch-up\``;
}
