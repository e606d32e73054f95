/**
 * `pnpm scan secrets|sast|deps`
 * - secrets: gitleaks (pinned, .tools/bin) `dir` over the working tree, then `git` over the
 *   history, both with .gitleaks.toml. Exit 0 clean, 1 a leak (redacted in the output).
 * - sast:    the SAST gates of the one gate list (bandit, gosec), as a table. Exit 0 / 1.
 * - deps:    dependency vulnerability scan (pip-audit over uv's export, govulncheck per Go
 *   module, osv-scanner over the lockfiles). Needs the vulnerability databases: it probes them
 *   first and, offline, prints ONE line "needs the network: …" and exits 3.
 * Exit 2: bad usage (one line).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GITLEAKS_DIR_ARGS, allGates, goModules } from '../tooling/gates/gates.ts';
import { runAndReport } from '../tooling/gates/runner.ts';
import { run, stopAllChildren } from '../tooling/lab-engine/process.ts';
import { findTool } from '../tooling/toolchain/tools.ts';
import { NETWORK_TOOLS, VULN_HOSTS, probeHosts } from '../tooling/security/network.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EXIT_OFFLINE = 3;
const usage = 'usage: pnpm scan secrets|sast|deps';

process.on('SIGINT', () => {
  stopAllChildren();
  process.exit(130);
});

async function step(label: string, command: string, args: string[], cwd = root): Promise<boolean> {
  const ran = await run(command, args, { cwd, timeoutMs: 20 * 60_000 });
  const ok = ran.code === 0;
  console.log(`${ok ? '✓' : '✗'} ${label} (${(ran.ms / 1000).toFixed(1)}s)`);
  if (!ok) console.log(`${ran.stdout}${ran.stderr}`.trimEnd().split('\n').slice(-40).join('\n'));
  return ok;
}

async function secrets(): Promise<number> {
  const gitleaks = findTool(root, 'gitleaks');
  if (!gitleaks) {
    console.log('gitleaks: not found — run `pnpm run doctor`');
    return 2;
  }
  const tree = await step('gitleaks dir . (working tree)', gitleaks, [...GITLEAKS_DIR_ARGS]);
  const history = await step('gitleaks git . (history)', gitleaks, ['git', '.', '--config', '.gitleaks.toml', '--no-banner', '--redact', '--log-level', 'warn']);
  return tree && history ? 0 : 1;
}

async function sast(): Promise<number> {
  const { failed } = await runAndReport('pnpm scan sast', allGates(root).filter((g) => g.sast));
  return failed.length === 0 ? 0 : 1;
}

async function deps(): Promise<number> {
  const down = await probeHosts(VULN_HOSTS, 3000);
  if (down.length > 0) {
    console.log(`needs the network: dependency scanning reads vulnerability databases (${down.join(', ')} unreachable); the security CI template runs it — exit ${EXIT_OFFLINE}`);
    return EXIT_OFFLINE;
  }
  const uv = findTool(root, 'uv') ?? 'uv';
  const work = mkdtempSync(path.join(tmpdir(), 'scan-deps-'));
  let ok = true;
  try {
    const exported = await run(uv, ['export', '--locked', '--all-groups', '--no-hashes', '--format', 'requirements-txt'], { cwd: root });
    const reqs = path.join(work, 'requirements.txt');
    writeFileSync(reqs, exported.stdout);
    ok = (await step(`pip-audit ${NETWORK_TOOLS.pipAudit}`, uv, ['tool', 'run', `pip-audit@${NETWORK_TOOLS.pipAudit}`, '--strict', '--disable-pip', '--no-deps', '-r', reqs])) && ok;
    for (const dir of goModules(root)) {
      ok = (await step(`govulncheck ${NETWORK_TOOLS.govulncheck} ${path.relative(root, dir)}`, 'go', ['run', `golang.org/x/vuln/cmd/govulncheck@${NETWORK_TOOLS.govulncheck}`, './...'], dir)) && ok;
    }
    ok = (await step(`osv-scanner ${NETWORK_TOOLS.osvScanner} (lockfiles)`, 'go', ['run', `github.com/google/osv-scanner/v2/cmd/osv-scanner@${NETWORK_TOOLS.osvScanner}`, 'scan', 'source', '-L', 'pnpm-lock.yaml', '-L', 'uv.lock', '-r', 'go'], root)) && ok;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return ok ? 0 : 1;
}

const [what, ...extra] = process.argv.slice(2);
if (extra.length > 0 || !what || !['secrets', 'sast', 'deps'].includes(what)) {
  console.log(`scan: ${what ? `unknown '${[what, ...extra].join(' ')}'` : 'what to scan?'} — ${usage}`);
  process.exit(2);
}
process.exitCode = what === 'secrets' ? await secrets() : what === 'sast' ? await sast() : await deps();
