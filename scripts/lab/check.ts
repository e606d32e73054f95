/**
 * `pnpm lab N check [--watch] [--json]`: run the lab's steps, one line each, then what failed
 * and what to try. Exit 0 only when every step passed. `--json` prints the report object
 * (schema: tooling/lab-engine/report/check-report.schema.json); with --watch, one per line.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../tooling/lab-engine/errors.ts';
import type { Lab } from '../../tooling/lab-engine/labs.ts';
import { acquireLock } from '../../tooling/lab-engine/lock.ts';
import { labProgress, loadProgress, recordCheck, saveProgress } from '../../tooling/lab-engine/progress.ts';
import { toJson } from '../../tooling/lab-engine/report/json.ts';
import type { CheckReport } from '../../tooling/lab-engine/report/schema.ts';
import { checkHeader, checkSummary, stepLines } from '../../tooling/lab-engine/report/text.ts';
import { runCheck } from '../../tooling/lab-engine/runner.ts';
import { theLab, type CommandContext } from './context.ts';

async function checkOnce(ctx: CommandContext, lab: Lab): Promise<CheckReport> {
  const lock = acquireLock(ctx.root, `lab ${lab.id} check`);
  try {
    const json = ctx.flags.json;
    if (!json) console.log(checkHeader({ lab: { number: lab.number, id: lab.id, slug: lab.slug, title: lab.manifest.title } }));
    const run = await runCheck(ctx.root, ctx.labs, lab, {
      onStep: (result) => {
        if (!json) console.log(stepLines(result).join('\n'));
      },
    });
    const { progress, warning } = loadProgress(ctx.root);
    if (warning) console.error(warning);
    const hintsShown = labProgress(progress, lab.id).hintsShown;
    const report: CheckReport =
      run.result === 'fail' ? { ...run, nextHint: { level: Math.min(hintsShown + 1, lab.manifest.hints.length), of: lab.manifest.hints.length } } : run;
    saveProgress(ctx.root, recordCheck(progress, lab.id, report.result, new Date()));
    if (json) console.log(ctx.flags.watch ? JSON.stringify(JSON.parse(toJson(report))) : toJson(report));
    else console.log(checkSummary(report).join('\n'));
    return report;
  } finally {
    lock.release();
  }
}

export default async function check(ctx: CommandContext): Promise<number> {
  const lab = theLab(ctx);
  const first = await checkOnce(ctx, lab);
  if (!ctx.flags.watch) return first.result === 'pass' ? EXIT.ok : EXIT.failed;
  return watchAndRerun(ctx, lab);
}

const IGNORED = /(__pycache__|\.mypy_cache|\.ruff_cache|\.pytest_cache|\.hypothesis|\.lab-tmp-|~$|\.swp$)/;

/** Re-runs the check on save, debounced; a save during a run queues exactly one more run. */
function watchAndRerun(ctx: CommandContext, lab: Lab): Promise<number> {
  const dirs = new Set(lab.manifest.owns.map((part) => path.dirname(path.join(ctx.root, part.path))));
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let pending = false;
  const trigger = (): void => {
    if (running) {
      pending = true;
      return;
    }
    running = true;
    if (!ctx.flags.json) console.log(`\n— change seen, checking again (${new Date().toLocaleTimeString()}) —`);
    checkOnce(ctx, lab)
      .catch((error: unknown) => console.error(`lab: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`))
      .finally(() => {
        running = false;
        if (pending) {
          pending = false;
          trigger();
        } else if (!ctx.flags.json) console.log('watching for changes — Ctrl-C stops');
      });
  };
  const onChange = (_event: string, file: string | null): void => {
    if (file && IGNORED.test(file)) return;
    clearTimeout(timer);
    timer = setTimeout(trigger, 300);
  };
  for (const dir of dirs) watchers.push(watch(dir, onChange));
  watchers.push(watch(path.join(lab.dir, 'check'), { recursive: true }, onChange));
  // With --json stdout carries reports only, so the line goes to stderr: whoever drives the
  // watcher (a test, an editor) waits for it instead of guessing when saves are seen.
  if (ctx.flags.json) console.error('watching for changes — Ctrl-C stops');
  else console.log('watching for changes — Ctrl-C stops');
  return new Promise(() => {
    // Runs until interrupted; the SIGINT handler in scripts/lab.ts ends the process.
  });
}
