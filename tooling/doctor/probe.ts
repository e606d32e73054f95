// Impure part of `pnpm doctor`: resolve each tool and run it (in parallel, short timeout).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { findBrowser } from '../toolchain/browser.ts';
import { findOnPath, findTool, isExecutable } from '../toolchain/tools.ts';
import type { ToolSpec, Toolchain } from '../toolchain/tools.ts';
import type { Found } from './check.ts';
import { extractVersion, goModuleVersion } from './version.ts';

export const PROBE_TIMEOUT_MS = 8000;

interface RunResult {
  ok: boolean;
  output: string;
  problem?: string;
}

/** Run a command; never throws. stdout and stderr are joined (some tools print to stderr). */
export function run(file: string, args: string[], timeoutMs = PROBE_TIMEOUT_MS): Promise<RunResult> {
  return new Promise((done) => {
    try {
      execFile(
        file,
        args,
        { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
        (err, stdout, stderr) => {
          const output = `${String(stdout)}\n${String(stderr)}`;
          if (!err) return done({ ok: true, output });
          const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number | null };
          let problem: string;
          if (e.killed) problem = `no answer within ${timeoutMs / 1000}s`;
          else if (typeof e.code === 'string') problem = e.code;
          else problem = `exit ${String(e.code ?? '?')}`;
          done({ ok: false, output, problem });
        },
      );
    } catch (e) {
      done({ ok: false, output: '', problem: (e as Error).message.split('\n')[0] ?? 'failed to start' });
    }
  });
}

/** PATH entries that belong to the repo or to a node_modules tree are not the "system" copy. */
function notSystem(root: string): (dir: string) => boolean {
  const r = resolve(root) + sep;
  return (dir) => {
    const d = resolve(dir) + sep;
    return d.startsWith(r) || d.includes(`${sep}node_modules${sep}`);
  };
}

function versionFrom(spec: ToolSpec, res: RunResult): Pick<Found, 'version' | 'problem' | 'unrecognised'> {
  const v = extractVersion(res.output, spec.version.pattern);
  if (v !== undefined) return { version: v };
  if (!res.ok) return { problem: res.problem ?? 'failed' };
  return { unrecognised: true, problem: 'no version in its output' };
}

export async function probeTool(spec: ToolSpec, root: string): Promise<Found> {
  const p = spec.version;
  if (p.runtime) return { path: process.execPath, version: process.version.replace(/^v/, '') };

  let path: string | undefined;
  if (spec.id === 'chromium') path = findBrowser();
  else if (p.systemPath) path = findOnPath(spec.bin, process.env['PATH'] ?? '', notSystem(root));
  else if (p.venv) {
    const v = join(root, '.venv', 'bin', spec.bin);
    path = isExecutable(v) ? v : undefined;
  } else path = findTool(root, spec.bin);

  if (!path && p.pythonModule) {
    // e.g. uv installed by `pip install` into a Python whose scripts dir is not on PATH.
    const py = findOnPath('python3', process.env['PATH'] ?? '', notSystem(root));
    if (py) {
      const res = await run(py, ['-m', p.pythonModule, ...p.args]);
      const v = extractVersion(res.output, p.pattern);
      if (res.ok && v !== undefined) return { path: `${py} -m ${p.pythonModule}`, version: v };
    }
    return {};
  }
  if (!path) return {};

  if (p.goBuildInfo && spec.go) {
    const go = findTool(root, 'go');
    if (go) {
      const res = await run(go, ['version', '-m', path]);
      const v = res.ok ? goModuleVersion(res.output, spec.go.module) : undefined;
      if (v !== undefined) return { path, version: v };
    }
  }
  const res = await run(path, p.args);
  return { path, ...versionFrom(spec, res) };
}

export async function probeAll(toolchain: Toolchain, root: string): Promise<Map<string, Found>> {
  const entries = await Promise.all(
    toolchain.tools.map(async (spec): Promise<[string, Found]> => {
      try {
        return [spec.id, await probeTool(spec, root)];
      } catch (e) {
        return [spec.id, { path: spec.bin, problem: (e as Error).message.split('\n')[0] ?? 'error' }];
      }
    }),
  );
  return new Map(entries);
}

export function repoFileExists(root: string): (rel: string) => boolean {
  return (rel) => existsSync(join(root, rel));
}
