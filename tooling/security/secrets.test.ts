// gitleaks (pinned, .tools/bin) catches a credential planted in a temporary git repo — in the
// working tree (`dir`) and in history (`git`) — and `pnpm scan secrets` passes on the kit.
// The fake key is built at run time so no credential-shaped text sits in this file.
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../lab-engine/process.ts';
import { findTool } from '../toolchain/tools.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const gitleaks = findTool(root, 'gitleaks');

function randomFrom(alphabet: string, n: number): string {
  return Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
}

describe('secrets scanning (gitleaks)', () => {
  let repo = '';
  const keyId = `AKIA${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
  beforeAll(() => {
    if (!gitleaks) throw new Error('gitleaks: not found — run `pnpm run doctor`');
    repo = mkdtempSync(path.join(tmpdir(), 'gitleaks-plant-'));
    copyFileSync(path.join(root, '.gitleaks.toml'), path.join(repo, '.gitleaks.toml'));
    const secret = randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 40);
    writeFileSync(path.join(repo, 'deploy.env'), `AWS_ACCESS_KEY_ID=${keyId}\nAWS_SECRET_ACCESS_KEY=${secret}\n`);
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'ignore' });
    };
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'oops');
  });
  afterAll(() => {
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  const scan = (mode: 'dir' | 'git'): ReturnType<typeof run> =>
    run(gitleaks as string, [mode, '.', '--config', '.gitleaks.toml', '--no-banner', '--redact', '--report-format', 'json', '--report-path', '-'], { cwd: repo, timeoutMs: 60_000 });

  it('gitleaks dir finds the planted AWS key in the tree', async () => {
    const ran = await scan('dir');
    expect(ran.code).toBe(1);
    const findings = JSON.parse(ran.stdout) as { RuleID: string; File: string; Secret: string }[];
    expect(findings.some((f) => f.RuleID === 'aws-access-token' && f.File.endsWith('deploy.env'))).toBe(true);
    expect(ran.stdout).not.toContain(keyId); // --redact: the report never repeats the secret
  });

  it('gitleaks git finds it in history, even after the file is deleted', async () => {
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'rm', '-q', 'deploy.env'], { cwd: repo });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'remove'], { cwd: repo });
    const ran = await scan('git');
    expect(ran.code).toBe(1);
    const findings = JSON.parse(ran.stdout) as { RuleID: string; Commit: string }[];
    expect(findings.some((f) => f.RuleID === 'aws-access-token')).toBe(true);
  });

  it('pnpm scan secrets: the kit itself is clean (tree and history)', async () => {
    const ran = await run(process.execPath, [path.join(root, 'scripts', 'scan.ts'), 'secrets'], { cwd: root, timeoutMs: 60_000 });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  });
});
