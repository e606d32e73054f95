/**
 * The pack's manifest.json and the size report `pnpm kit pack` prints. Pure: unit-tested.
 * bootstrap reads the manifest with check-manifest.js (plain JS, see there), which is also
 * where the pins come from, so making and checking a pack agree on them by construction.
 */
export const PACK_SCHEMA = 'language-tracks/pack@1';

export interface PackPart {
  /** pnpm | python | go | system */
  name: string;
  /** Folder inside the archive. */
  dir: string;
  bytes: number;
  /** What is inside, one line. */
  contents: string;
}

export interface PackManifest {
  schema: typeof PACK_SCHEMA;
  /** `git rev-parse HEAD` of the checkout the pack was made from (its lockfiles). */
  commit: string;
  platform: string;
  createdAt: string;
  /** tool id → pinned version (toolchain.json), checked by bootstrap before it installs. */
  pins: Record<string, string>;
  /** sha256 of pnpm-lock.yaml, uv.lock and each go.sum: bootstrap refuses a pack of other lockfiles. */
  lockfiles: Record<string, string>;
  parts: PackPart[];
  /** What an attendee still needs from elsewhere, one line each. */
  notInPack: string[];
}

export function buildManifest(fields: Omit<PackManifest, 'schema'>): PackManifest {
  return { schema: PACK_SCHEMA, ...fields };
}

/** 1536 → "1.5 KB", binary units, one decimal below 100. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 100 ? Math.round(value).toString() : value.toFixed(1);
  return `${shown} ${units[unit]}`;
}

/** The lines `pnpm kit pack` ends with: each part, what is not inside, and the archive. */
export function sizeReport(manifest: PackManifest, archive: { path: string; bytes: number }): string[] {
  const width = Math.max(...manifest.parts.map((p) => p.name.length), 7);
  const lines = manifest.parts.map((p) => `  ${p.name.padEnd(width)} ${formatSize(p.bytes).padStart(8)}  ${p.contents}`);
  const total = manifest.parts.reduce((sum, p) => sum + p.bytes, 0);
  lines.push(`  ${'total'.padEnd(width)} ${formatSize(total).padStart(8)}  unpacked`);
  for (const line of manifest.notInPack) lines.push(`  not in the pack: ${line}`);
  lines.push(`pack: ${archive.path} (${formatSize(archive.bytes)}, ${manifest.platform}, commit ${manifest.commit.slice(0, 7)})`);
  return lines;
}
