// Version parsing and comparison for `pnpm doctor` (numeric, "v" prefix and suffixes ignored).

/** Numeric parts of a version: "v1.36.12" -> [1, 36, 12]; undefined when there are none. */
export function parseVersion(v: string): number[] | undefined {
  const m = /(\d+(?:\.\d+)*)/.exec(v.trim());
  if (!m || m[1] === undefined) return undefined;
  return m[1].split('.').map((x) => Number.parseInt(x, 10));
}

/** -1, 0 or 1. Missing parts count as 0, so "1.26" equals "1.26.0". */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) throw new Error(`cannot compare versions "${a}" and "${b}"`);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Pull a version out of a tool's output with the pattern from toolchain.json (first group). */
export function extractVersion(output: string, pattern: string): string | undefined {
  const m = new RegExp(pattern, 'm').exec(output);
  if (!m) return undefined;
  return m[1] ?? m[0];
}

/** Module version of a Go binary from `go version -m` output, e.g. "\tmod\tpath\tv1.2.3\th1:..". */
export function goModuleVersion(output: string, module: string): string | undefined {
  for (const line of output.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'mod' && f[1] === module && f[2] !== undefined) return f[2];
  }
  return undefined;
}
