/** The human report of a check: one line per step, then what failed, where, and what to try. */
import type { CheckReport, StepResult } from './schema.ts';

const useColor = process.stdout.isTTY === true && !process.env['NO_COLOR'];
const paint = (code: number) => (text: string) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
const green = paint(32);
const red = paint(31);
const yellow = paint(33);
const dim = paint(2);
const bold = paint(1);

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function checkHeader(report: Pick<CheckReport, 'lab'>): string {
  return bold(`lab ${report.lab.id} · ${report.lab.title} — check`);
}

/** The lines for one step: its verdict line, then (when it failed) each failure and the hint. */
export function stepLines(result: StepResult): string[] {
  const mark = result.status === 'pass' ? green('✓') : result.status === 'fail' ? red('✗') : yellow('!');
  const head = `  ${mark} ${result.step.padEnd(22)} ${dim(seconds(result.ms).padStart(6))}`;
  if (result.status === 'pass') return [head];
  if (result.status === 'error') return [`${head}  ${yellow('could not run:')}`, ...indent(result.why, 6)];
  const lines = [head];
  for (const failure of result.failures.slice(0, SHOWN_FAILURES)) {
    if (failure.test) lines.push(`      ${bold(failure.test)}`);
    lines.push(...indent(firstLines(failure.message, SHOWN_LINES), failure.test ? 8 : 6));
    if (failure.where) lines.push(`${' '.repeat(failure.test ? 8 : 6)}${dim(`at ${failure.where}`)}`);
  }
  const more = result.failures.length - SHOWN_FAILURES;
  if (more > 0) lines.push(`      ${dim(`… and ${more} more (fix these first, or see all with --json)`)}`);
  if (result.hint) lines.push(`      ${yellow('hint:')} ${result.hint}`);
  return lines;
}

/** A screenful per step: the first failures are usually the cause of the rest. */
const SHOWN_FAILURES = 3;
const SHOWN_LINES = 4;

function firstLines(text: string, count: number): string {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .slice(0, count)
    .join('\n');
}

function indent(text: string, by: number): string[] {
  return text.split('\n').map((line) => `${' '.repeat(by)}${line}`);
}

export function checkSummary(report: CheckReport): string[] {
  const lines: string[] = [];
  for (const earlier of report.earlierLabs) lines.push(`  ${yellow('cause:')} ${earlier.message}`);
  const failed = report.steps.filter((s) => s.status !== 'pass').length;
  lines.push(
    report.result === 'pass'
      ? green(`PASS — all ${report.steps.length} steps passed (${seconds(report.ms)})`)
      : red(`FAIL — ${failed} of ${report.steps.length} steps did not pass (${seconds(report.ms)})`),
  );
  if (report.nextHint) {
    lines.push(`Stuck? \`pnpm lab ${report.lab.number} hint\` shows hint ${report.nextHint.level} of ${report.nextHint.of}.`);
  }
  return lines;
}
