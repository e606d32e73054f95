/**
 * Architecture rules as a linter (issue 15): `lint-imports` checks the import-linter contracts
 * in pyproject.toml. Its report has no machine format, so this reads the text: one failure per
 * broken contract, naming the rule, each forbidden import it found and the first import of
 * the chain that leads there (file:line), which is the line to change.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { run } from '../process.ts';
import type { Failure, StepResult } from '../report/schema.ts';
import { timeoutMs, tool, verdict, type StepContext, type StepOf } from './context.ts';

/** Where `lint-imports` finds the packages: every service's src and the generated stubs. */
export function importLinterPythonPath(root: string): string {
  const services = path.join(root, 'python', 'services');
  const srcs = existsSync(services)
    ? readdirSync(services, { withFileTypes: true })
        .filter((e) => e.isDirectory() && existsSync(path.join(services, e.name, 'src')))
        .map((e) => path.join(services, e.name, 'src'))
        .sort()
    : [];
  return [...srcs, path.join(root, 'python', 'gen')].join(path.delimiter);
}

/** The environment `lint-imports` runs in: packages importable, report lines never wrapped. */
export function importLinterEnv(root: string): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: importLinterPythonPath(root), COLUMNS: '400', NO_COLOR: '1', FORCE_COLOR: undefined, PYTHONUNBUFFERED: '1' };
}

/** The repository-relative file of a dotted module, looked up in the PYTHONPATH folders. */
function fileOfModule(root: string, module: string): string | undefined {
  const rel = module.split('.').join('/');
  for (const dir of importLinterPythonPath(root).split(path.delimiter)) {
    for (const candidate of [`${rel}.py`, `${rel}/__init__.py`]) {
      const file = path.join(dir, candidate);
      if (existsSync(file)) return path.relative(root, file);
    }
  }
  return undefined;
}

/** One failure per broken contract of a `lint-imports` report. */
export function importLinterFailures(output: string, root: string): Failure[] {
  const start = output.search(/^Broken contracts\n-+\n/m);
  if (start < 0) return [];
  const broken = output.slice(start).replace(/^Broken contracts\n-+\n/, '');
  // A contract's section starts with its name underlined by dashes.
  const headers = [...broken.matchAll(/^(\S.*)\n-{3,}\n/gm)];
  return headers.map((header, i) => {
    const name = header[1] ?? '';
    const body = broken.slice((header.index ?? 0) + header[0].length, headers[i + 1]?.index ?? broken.length);
    const forbidden = [...body.matchAll(/^(\S+) is not allowed to import (\S+):\n\n-\s+(\S+) -> (\S+) \(l\.(\d+)\)/gm)];
    const lines = forbidden.map((m) => `${m[1] ?? ''} imports ${m[2] ?? ''} (first step: ${m[3] ?? ''} -> ${m[4] ?? ''}, line ${m[5] ?? ''})`);
    const first = forbidden[0];
    const file = first ? fileOfModule(root, first[3] ?? '') : undefined;
    const said = lines.length > 0 ? lines.slice(0, 6).join('\n') + (lines.length > 6 ? `\n… and ${lines.length - 6} more` : '') : body.trim().split('\n').slice(0, 8).join('\n');
    return {
      test: name,
      message: `architecture rule broken: ${name}\n${said}`,
      ...(file && first ? { where: `${file}:${first[5] ?? ''}` } : {}),
    };
  });
}

export async function importLinter(ctx: StepContext, step: StepOf<'import-linter'>): Promise<StepResult> {
  const contracts = (step.contracts ?? []).flatMap((id) => ['--contract', id]);
  const ran = await run(tool(ctx, 'lint-imports'), ['--no-cache', ...contracts], {
    cwd: ctx.root,
    env: importLinterEnv(ctx.root),
    timeoutMs: timeoutMs(step, 120),
    signal: ctx.signal,
  });
  const failures = importLinterFailures(ran.stdout, ctx.root);
  // Exit 1 with no broken contract in the report is a configuration or import error.
  return verdict(step, ran, failures, ran.code !== 0 && failures.length === 0);
}
