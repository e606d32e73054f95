// node tooling/pack/check-manifest.js <manifest.json> <toolchain.json> [<checkout>]
//
// bootstrap's first check of an offline pack (`npm run bootstrap -- --from FILE`). Plain
// JavaScript on purpose: bootstrap runs it with the machine's Node (>= 20), before pnpm has
// installed the kit's Node 24, so it cannot be TypeScript. Prints nothing and exits 0 when the
// pack was made for this platform, these pins and (given the checkout) these lockfiles;
// otherwise one line and exit 1 (2: bad usage).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The platform name a pack is made for: `${os}-${arch}`, e.g. linux-x64, darwin-arm64. */
export function hostPlatform() {
  return `${process.platform}-${process.arch}`;
}

/**
 * The pins a pack must match: what bootstrap would otherwise fetch (pnpm, uv, the kit's Node
 * runtime package) and each Go tool it would build. Extra pins in either file are ignored.
 * @param {{ tools: Record<string, { pinned?: string, go?: unknown }> }} toolchain
 * @returns {Record<string, string>}
 */
export function packPins(toolchain) {
  const pins = {};
  for (const [id, tool] of Object.entries(toolchain.tools)) {
    if (tool.pinned && (tool.go || id === 'pnpm' || id === 'uv' || id === 'node')) pins[id] = tool.pinned;
  }
  return pins;
}

/**
 * sha256 of each lockfile (path relative to the checkout); "missing" when it does not exist.
 * @param {string} root
 * @param {string[]} files
 * @returns {Record<string, string>}
 */
export function lockfileHashes(root, files) {
  const hashes = {};
  for (const f of files) {
    let text;
    try {
      text = readFileSync(path.join(root, f));
    } catch {
      hashes[f] = 'missing';
      continue;
    }
    hashes[f] = createHash('sha256').update(text).digest('hex');
  }
  return hashes;
}

/**
 * The one problem with a manifest for this machine and toolchain, or undefined when it fits.
 * @param {unknown} manifest
 * @param {Record<string, string>} pins
 * @param {string} platform
 * @param {(files: string[]) => Record<string, string>} [hashesOf] this checkout's lockfile hashes
 * @returns {string | undefined}
 */
export function manifestProblem(manifest, pins, platform, hashesOf) {
  if (typeof manifest !== 'object' || manifest === null) return 'not a kit pack (manifest.json is not an object)';
  const m = /** @type {{ schema?: unknown, platform?: unknown, commit?: unknown, pins?: Record<string, unknown>, lockfiles?: Record<string, string> }} */ (manifest);
  if (m.schema !== 'language-tracks/pack@1') return `not a kit pack (manifest schema ${JSON.stringify(m.schema ?? null)}, expected "language-tracks/pack@1")`;
  if (m.platform !== platform) return `the pack is for ${String(m.platform)}, this machine is ${platform}: make one here with \`pnpm kit pack\` on a ${platform} machine`;
  const have = m.pins ?? {};
  const wrong = Object.entries(pins)
    .filter(([id, pin]) => have[id] !== pin)
    .map(([id, pin]) => `${id} ${String(have[id] ?? 'missing')} (kit pins ${pin})`);
  if (wrong.length) return `the pack was made for other pins: ${wrong.join(', ')} — make a new one from this checkout with \`pnpm kit pack\``;
  if (hashesOf && m.lockfiles) {
    const here = hashesOf(Object.keys(m.lockfiles));
    const differ = Object.keys(m.lockfiles).filter((f) => here[f] !== m.lockfiles?.[f]);
    if (differ.length) return `the pack was made from other lockfiles (${differ.join(', ')} not as in this checkout; pack commit ${String(m.commit ?? '?').slice(0, 7)}): check out that commit, or make a new pack from this checkout with \`pnpm kit pack\``;
  }
  return undefined;
}

function main(argv) {
  if (argv.length !== 2 && argv.length !== 3) {
    console.error('usage: node tooling/pack/check-manifest.js <manifest.json> <toolchain.json> [<checkout>]');
    return 2;
  }
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(argv[0], 'utf8'));
  } catch (e) {
    console.error(`not a kit pack: cannot read manifest.json (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    return 1;
  }
  const root = argv[2];
  const problem = manifestProblem(manifest, packPins(JSON.parse(readFileSync(argv[1], 'utf8'))), hostPlatform(), root ? (files) => lockfileHashes(root, files) : undefined);
  if (problem) {
    console.error(problem);
    return 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
