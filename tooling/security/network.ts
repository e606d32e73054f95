/**
 * Dependency scanning needs the network (vulnerability databases). The versions of the tools it
 * runs then (fetched on demand, never at bootstrap) live in toolchain.json `networkTools`.
 */
import { readFileSync } from 'node:fs';
import { TOOLCHAIN_PATH } from '../toolchain/tools.ts';

const raw = JSON.parse(readFileSync(TOOLCHAIN_PATH, 'utf8')) as { networkTools?: Record<string, string> };
const nt = raw.networkTools ?? {};
export const NETWORK_TOOLS = {
  pipAudit: nt['pip-audit'] ?? '',
  govulncheck: nt['govulncheck'] ?? '',
  osvScanner: nt['osv-scanner'] ?? '',
};

/** The databases the scanners read: PyPI's JSON API (pip-audit), Go's (govulncheck), OSV. */
export const VULN_HOSTS = ['https://pypi.org/pypi/pip/json', 'https://vuln.go.dev/index/db.json', 'https://api.osv.dev/v1/query'] as const;

/** An HTTPS request to each URL within ms; resolves to the hosts that gave no HTTP answer. */
export async function probeHosts(urls: readonly string[], ms: number): Promise<string[]> {
  const one = async (url: string): Promise<boolean> => {
    try {
      await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(ms) });
      return true;
    } catch {
      return false;
    }
  };
  const results = await Promise.all(urls.map(one));
  return urls.filter((_, i) => !results[i]).map((u) => new URL(u).host);
}
