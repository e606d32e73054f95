// `pnpm doctor`: every tool the kit needs, what is missing, the one command that fixes it.
import { loadToolchain } from '../toolchain/tools.ts';
import type { Toolchain } from '../toolchain/tools.ts';
import { buildReport } from './check.ts';
import type { Found, Report } from './check.ts';
import { probeAll, repoFileExists, run } from './probe.ts';
import { detectPlatform, type Platform } from '../toolchain/system.ts';

export interface DoctorOptions {
  root: string;
  toolchain?: Toolchain;
  /** Replaceable for tests: probe every tool. */
  probe?: (toolchain: Toolchain, root: string) => Promise<Map<string, Found>>;
  fileExists?: (rel: string) => boolean;
  /** Replaceable for tests: the platform whose fix lines the rows give. */
  platform?: Platform;
}

/** `sudo -n true`: root rights without a password prompt (never waits for one). */
export async function sudoWithoutPassword(): Promise<boolean> {
  return (await run('sudo', ['-n', 'true'], 3000)).ok;
}

export async function runDoctor(opts: DoctorOptions): Promise<Report> {
  const toolchain = opts.toolchain ?? loadToolchain();
  const results = await (opts.probe ?? probeAll)(toolchain, opts.root);
  const platform = opts.platform ?? (await detectPlatform(sudoWithoutPassword));
  return buildReport(toolchain, results, opts.fileExists ?? repoFileExists(opts.root), platform);
}
