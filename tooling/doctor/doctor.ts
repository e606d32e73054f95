// `pnpm doctor`: every tool the kit needs, what is missing, the one command that fixes it.
import { loadToolchain } from '../toolchain/tools.ts';
import type { Toolchain } from '../toolchain/tools.ts';
import { buildReport } from './check.ts';
import type { Found, Report } from './check.ts';
import { probeAll, repoFileExists } from './probe.ts';

export interface DoctorOptions {
  root: string;
  toolchain?: Toolchain;
  /** Replaceable for tests: probe every tool. */
  probe?: (toolchain: Toolchain, root: string) => Promise<Map<string, Found>>;
  fileExists?: (rel: string) => boolean;
}

export async function runDoctor(opts: DoctorOptions): Promise<Report> {
  const toolchain = opts.toolchain ?? loadToolchain();
  const results = await (opts.probe ?? probeAll)(toolchain, opts.root);
  return buildReport(toolchain, results, opts.fileExists ?? repoFileExists(opts.root));
}
