/**
 * `pnpm kit pack [--platform P] [--out FILE]`: argument parsing, pure so it is unit-tested.
 * Bad input is a UsageError (one line, exit 2) like every other kit command.
 */
import path from 'node:path';
import { UsageError } from '../lab-engine/errors.ts';

/** Platforms the kit runs on (the node-<os>-<arch> runtime packages exist for each). */
export const KNOWN_PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64'] as const;

export interface PackArgs {
  platform: string;
  /** Absolute path of the archive to write: .tar, or .tar.gz / .tgz (gzip). */
  out: string;
}

const SEE_HELP = '— `pnpm kit --help` shows the usage';

/**
 * Only the host platform can be packed: the pnpm store, uv's wheels and the Go tools are
 * fetched and built for the machine that runs the pack (see tooling/pack/README.md).
 */
export function parsePackArgs(argv: string[], host: string, cwd: string, commit: string): PackArgs {
  let platform: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag !== '--platform' && flag !== '--out') throw new UsageError(`unknown pack argument "${arg}" ${SEE_HELP}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${flag} needs a value ${SEE_HELP}`);
    if (flag === '--platform') platform = value;
    else out = value;
  }
  platform ??= host;
  if (platform !== host) {
    const known = (KNOWN_PLATFORMS as readonly string[]).includes(platform);
    throw new UsageError(`${known ? `cannot pack ${platform} here` : `unknown platform "${platform}"`}: only this machine's platform (${host}) can be packed — run \`pnpm kit pack\` on a ${known ? platform : 'matching'} machine (known: ${KNOWN_PLATFORMS.join(', ')})`);
  }
  out ??= `language-tracks-pack-${platform}-${commit.slice(0, 7)}.tar`;
  if (!/\.(tar|tar\.gz|tgz)$/.test(out)) throw new UsageError(`--out "${out}": the archive name must end in .tar, .tar.gz or .tgz`);
  return { platform, out: path.resolve(cwd, out) };
}
