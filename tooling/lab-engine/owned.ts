/**
 * What a lab owns, and its three versions: the current one in the services, the starter and
 * the solution kept in the lab folder. A part is a whole file or a marked region of one:
 *
 *     # lab-region:fan-out begin
 *     ... owned lines ...
 *     # lab-region:fan-out end
 *
 * A region's starter and solution are stored as `<lab>/<version>/<path>@<region>`, holding
 * exactly the lines between the two markers.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ManifestError, UsageError } from './errors.ts';
import type { Lab } from './labs.ts';
import type { OwnedPart } from './manifest.ts';

export type Version = 'starter' | 'solution';

export function partLabel(part: OwnedPart): string {
  return part.region ? `${part.path}#${part.region}` : part.path;
}

export function versionFile(lab: Lab, part: OwnedPart, version: Version): string {
  return path.join(lab.dir, version, part.region ? `${part.path}@${part.region}` : part.path);
}

/** The stored starter or solution bytes of a part; a missing one is a broken lab (exit 2). */
export function readVersion(root: string, lab: Lab, part: OwnedPart, version: Version): Buffer {
  const file = versionFile(lab, part, version);
  if (!existsSync(file)) {
    throw new ManifestError(path.relative(root, file), '', `missing: lab ${lab.id} owns ${partLabel(part)} but has no ${version} for it`);
  }
  return readFileSync(file);
}

/** The current bytes of an owned file, or undefined when the file does not exist. */
export function readCurrentFile(root: string, file: string): Buffer | undefined {
  const full = path.join(root, file);
  return existsSync(full) ? readFileSync(full) : undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes an owned file as UTF-8, or explains in one line why it cannot be used. */
export function decodeOwned(bytes: Buffer, file: string, lab: Lab): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new UsageError(
      `${file} (owned by lab ${lab.id}) is not UTF-8 text — fix its encoding, or \`pnpm lab ${lab.id} restore\` / \`reset\``,
    );
  }
}

export interface RegionSplit {
  /** Everything up to and including the begin marker's line. */
  readonly head: string;
  /** The owned lines. */
  readonly inner: string;
  /** The end marker's line and everything after it. */
  readonly tail: string;
}

/** Splits a file's text around region `name`; markers missing or doubled is an error naming the file. */
export function splitRegion(text: string, name: string, file: string, lab: Lab): RegionSplit {
  const begin = new RegExp(`^.*lab-region:${name} begin.*$`, 'gm');
  const end = new RegExp(`^.*lab-region:${name} end.*$`, 'gm');
  const begins = [...text.matchAll(begin)];
  const ends = [...text.matchAll(end)];
  const problem =
    begins.length !== 1 || ends.length !== 1
      ? `needs exactly one "lab-region:${name} begin" and one "end" line (found ${begins.length} and ${ends.length})`
      : (begins[0]?.index ?? 0) > (ends[0]?.index ?? 0)
        ? `its "lab-region:${name} end" line comes before the begin line`
        : undefined;
  if (problem) {
    throw new UsageError(`${file} (owned by lab ${lab.id}): ${problem} — \`pnpm lab ${lab.id} restore\` brings back the last backup`);
  }
  const beginMatch = begins[0] as RegExpExecArray;
  const endMatch = ends[0] as RegExpExecArray;
  const innerStart = beginMatch.index + beginMatch[0].length + 1;
  return {
    head: text.slice(0, innerStart),
    inner: text.slice(innerStart, endMatch.index),
    tail: text.slice(endMatch.index),
  };
}

/**
 * The current content of a part as text, for comparing and diffing. A whole file that does not
 * exist reads as undefined; a region inside a missing file is an error.
 */
export function readCurrentPart(root: string, lab: Lab, part: OwnedPart): string | undefined {
  const bytes = readCurrentFile(root, part.path);
  if (bytes === undefined) {
    if (part.region) throw new UsageError(`${part.path} (owned by lab ${lab.id}) is missing — \`pnpm lab ${lab.id} reset\` writes it again`);
    return undefined;
  }
  const text = decodeOwned(bytes, part.path, lab);
  return part.region ? splitRegion(text, part.region, part.path, lab).inner : text;
}
