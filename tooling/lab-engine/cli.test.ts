/**
 * The `pnpm lab` command line, run for real (scripts/lab.ts under Node 24) against throwaway
 * fixture repositories. Scenarios that change files get their own fixture and run concurrently.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkReportSchema, type CheckReport } from './report/schema.ts';
import {
  cliEnv,
  DEMO,
  greetFile,
  hasStackTrace,
  KIT_ROOT,
  LAB_CLI,
  linesOf,
  makeFixture,
  runLab,
  runScript,
  type CliResult,
  type Fixture,
  type FixtureOptions,
} from './testing/fixture.ts';

const fixtures: Fixture[] = [];
afterAll(() => fixtures.forEach((f) => f.dispose()));

function fixture(options?: FixtureOptions): Fixture {
  const f = makeFixture(options);
  fixtures.push(f);
  return f;
}

/** The one line a bad input must produce: exit 2, exactly one stderr line, no stack trace. */
function expectOneLine(result: CliResult, line: RegExp): void {
  expect(result.code, `stderr: ${result.stderr}`).toBe(2);
  expect(linesOf(result.stderr)).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(line);
  expect(hasStackTrace(result.stderr + result.stdout)).toBe(false);
}

function report(result: CliResult): CheckReport {
  return checkReportSchema.parse(JSON.parse(result.stdout));
}

function progressOf(f: Fixture): Record<string, { firstPassedAt?: string; lastResult?: string; lastRunAt?: string; hintsShown: number }> {
  return (JSON.parse(f.text('.labs/progress.json')) as { labs: Record<string, { hintsShown: number }> }).labs;
}

const OWNED_1 = ['svc/demo.py', 'svc/greet.py'];
const bytesOf = (f: Fixture, files: readonly string[]): (string | undefined)[] => files.map((file) => (f.exists(file) ? f.read(file).toString('base64') : undefined));

describe.concurrent('bad input gets one line on stderr and exit 2, never a stack trace', () => {
  const shared = fixture({ venv: false });
  const cases: [string, string[], RegExp][] = [
    ['no command at all', [], /^lab: no command given — `pnpm lab --help` shows the usage$/],
    ['a lab without a verb', ['1'], /^lab: what should lab 01 do\? one of: reset, check, solve, hint, diff, restore$/],
    ['an unknown lab', ['99', 'check'], /^lab: unknown lab "99" — `pnpm lab list` shows the labs$/],
    ['an unknown lab slug', ['nosuch', 'reset'], /^lab: unknown lab "nosuch"/],
    ['an unknown verb', ['1', 'frob'], /^lab: unknown verb "frob" — one of: reset, check/],
    ['extra arguments', ['1', 'check', 'extra'], /^lab: too many arguments for `check`: extra$/],
    ['extra arguments to a listing', ['list', 'x'], /^lab: `pnpm lab list` takes no more arguments/],
    ['an unknown flag', ['1', 'check', '--nope'], /^lab: Unknown option '--nope' — `pnpm lab --help` shows the usage$/],
    ['a flag on the wrong verb', ['1', 'solve', '--json'], /^lab: `solve` does not take --json$/],
    ['--catch-up on check', ['1', 'check', '--catch-up'], /^lab: `check` does not take --catch-up$/],
    ['hint 0', ['1', 'hint', '0'], /^lab: lab 01 has hints 1 to 3; "0" is not one of them$/],
    ['hint 9', ['1', 'hint', '9'], /^lab: lab 01 has hints 1 to 3; "9" is not one of them$/],
    ['hint x', ['1', 'hint', 'x'], /^lab: lab 01 has hints 1 to 3; "x" is not one of them$/],
  ];
  for (const [name, args, line] of cases) {
    it(`${name} (lab ${args.join(' ')})`, async () => {
      const result = await runLab(shared.root, args);
      expectOneLine(result, line);
      // Nothing written: no progress, no backup, no lock left behind.
      expect(readdirSync(shared.root).filter((name) => name !== '.labs')).toEqual(['labs', 'pyproject.toml', 'svc']);
      expect(shared.exists('.labs') ? readdirSync(path.join(shared.root, '.labs')) : []).toEqual([]);
    });
  }

  it('restore of a backup that does not exist (lab 1 restore nosuchid)', async () => {
    const f = fixture({ venv: false });
    expectOneLine(await runLab(f.root, ['1', 'restore', 'nosuchid']), /^lab: no backup "nosuchid" — `pnpm lab N restore` lists the backups$/);
    expect(f.exists('.labs/lock')).toBe(false);
    expect(f.backupFolders()).toEqual([]);
  });

  it('list keeps every title apart from its progress (long titles are cut with …)', async () => {
    const result = await runLab(process.cwd(), ['list']);
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^\d{2} +\S+ +.+? {2,}(passed|in progress|not started)/);
  });

  it('--help prints the usage and exits 0', async () => {
    const result = await runLab(shared.root, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: pnpm lab list \| status \| next/);
  });

  it('an owned file deleted, then check', async () => {
    const f = fixture();
    f.remove('svc/demo.py');
    expectOneLine(await runLab(f.root, ['1', 'check']), /^lab: svc\/demo\.py \(owned by lab 01\) is missing — `pnpm lab 01 restore` or `pnpm lab 01 reset` brings it back$/);
  });

  it('an owned file that is not UTF-8, then check', async () => {
    const f = fixture();
    f.write('svc/demo.py', Buffer.from([0x64, 0x65, 0x66, 0xff, 0xfe, 0x0a]));
    expectOneLine(await runLab(f.root, ['1', 'check']), /^lab: svc\/demo\.py \(owned by lab 01\) is not UTF-8 text — /);
  });

  it('a tool the steps need is not installed', async () => {
    const f = fixture({ venv: false });
    const result = await runLab(f.root, ['1', 'check'], { env: { PATH: '/usr/bin:/bin' } });
    expectOneLine(result, /^lab: ruff: not found — run `pnpm run doctor`$/);
  });

  it('a check while another live process holds .labs/lock', async () => {
    const f = fixture();
    f.write('.labs/lock', `${process.pid}\nlab 01 reset\n`);
    expectOneLine(await runLab(f.root, ['1', 'check']), new RegExp(`^lab: another lab command is running \\(lab 01 reset ${process.pid}\\) — wait for it to finish or stop it$`));
    expect(f.text('.labs/lock')).toBe(`${process.pid}\nlab 01 reset\n`);
  });

  it('reset of a region whose markers are broken writes nothing and backs nothing up', async () => {
    const f = fixture({ venv: false });
    f.write('svc/greet.py', f.text('svc/greet.py').replace('# lab-region:hello end\n', ''));
    const before = bytesOf(f, OWNED_1);
    expectOneLine(await runLab(f.root, ['1', 'reset']), /^lab: svc\/greet\.py \(owned by lab 01\): needs exactly one "lab-region:hello begin" and one "end" line \(found 1 and 0\)/);
    expect(bytesOf(f, OWNED_1)).toEqual(before);
    expect(f.backupFolders()).toEqual([]);
  });

  it('restore of a damaged backup is refused and writes nothing', async () => {
    const f = fixture({ venv: false });
    expect((await runLab(f.root, ['1', 'reset'])).code).toBe(0);
    const [id] = f.backupFolders();
    const saved = `.labs/backups/${id ?? ''}/files/svc/demo.py`;
    f.write(saved, `${f.text(saved)}# edited by hand\n`);
    const before = bytesOf(f, OWNED_1);
    expectOneLine(await runLab(f.root, ['1', 'restore', id ?? '']), /^lab: backup .* is damaged \(svc\/demo\.py does not match its checksum\) — nothing was restored$/);
    expect(bytesOf(f, OWNED_1)).toEqual(before);
    expect(f.backupFolders()).toEqual([id]);
  });

  for (const [name, args, line] of [
    ['an unknown command', ['frob'], /^kit: unknown kit command "frob" — `pnpm kit --help` shows the usage$/],
    ['no command', [], /^kit: no command given — `pnpm kit --help` shows the usage$/],
    ['a lab that is not a number', ['verify', 'x'], /^kit: "x" is not a lab number — `pnpm kit --help` shows the usage$/],
  ] as const) {
    it(`kit: ${name} is one line too`, async () => {
      expectOneLine(await runScript(path.join(KIT_ROOT, 'scripts', 'kit.ts'), shared.root, args), line);
    });
  }
});

describe.concurrent('lab N check on a real lab (ruff and pytest)', () => {
  it('the starter fails with exit 1 naming the test, the message and file:line; the solution passes with exit 0; progress follows', async () => {
    const f = fixture();
    expect((await runLab(f.root, ['1', 'reset'])).code).toBe(0);

    const text = await runLab(f.root, ['1', 'check']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('lab 01 · Demo lab — check');
    expect(text.stdout).toMatch(/✗ ruff-check .*\n\s+F401: `os` imported but unused\n\s+at svc\/demo\.py:1\n\s+hint: remove what ruff names/);
    expect(text.stdout).toMatch(
      /✗ acceptance .*\n\s+labs\/01-demo\/check\/test_demo\.py::test_add_sums_two_numbers\n\s+AssertionError: add\(2, 3\) should be 5\n\s+assert 0 == 5\n.*\n\s+at labs\/01-demo\/check\/test_demo\.py:6\n/,
    );
    expect(text.stdout).toContain('labs/01-demo/check/test_demo.py::test_hello_greets_by_name');
    expect(text.stdout).toContain('FAIL — 2 of 2 steps did not pass');
    expect(text.stdout).toContain('Stuck? `pnpm lab 1 hint` shows hint 1 of 3.');
    expect(progressOf(f)['01']).toMatchObject({ lastResult: 'fail', hintsShown: 0 });
    expect(progressOf(f)['01']?.firstPassedAt).toBeUndefined();

    const failed = await runLab(f.root, ['1', 'check', '--json']);
    expect(failed.code).toBe(1);
    const failedReport = report(failed);
    expect(failedReport).toMatchObject({ result: 'fail', lab: { number: 1, id: '01', slug: '01-demo' }, earlierLabs: [], nextHint: { level: 1, of: 3 } });
    expect(failedReport.steps.map((s) => [s.step, s.status])).toEqual([
      ['ruff-check', 'fail'],
      ['acceptance', 'fail'],
    ]);
    const acceptance = failedReport.steps[1];
    expect(acceptance?.status === 'fail' ? acceptance.failures[0] : undefined).toEqual({
      test: 'labs/01-demo/check/test_demo.py::test_add_sums_two_numbers',
      message: 'AssertionError: add(2, 3) should be 5\nassert 0 == 5\n +  where 0 = add(2, 3)',
      where: 'labs/01-demo/check/test_demo.py:6',
    });

    expect((await runLab(f.root, ['1', 'solve'])).code).toBe(0);
    const passed = await runLab(f.root, ['1', 'check', '--json']);
    expect(passed.code).toBe(0);
    expect(report(passed)).toMatchObject({ result: 'pass', earlierLabs: [] });
    expect(report(passed).nextHint).toBeUndefined();
    const progress = progressOf(f)['01'];
    expect(progress?.lastResult).toBe('pass');
    const firstPassedAt = progress?.firstPassedAt ?? '';
    expect(firstPassedAt).toBe(progress?.lastRunAt);

    const again = await runLab(f.root, ['1', 'check']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/✓ ruff-check[\s\S]*✓ acceptance[\s\S]*PASS — all 2 steps passed/);
    expect(progressOf(f)['01']?.firstPassedAt).toBe(firstPassedAt);
  });

  it('hints come one level at a time, are remembered, and set the next hint a failing check offers', async () => {
    const f = fixture();
    const first = await runLab(f.root, ['1', 'hint']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^hint 1 of 3 for lab 01 · Demo lab:\n\nLook at add\.\n/);
    expect((await runLab(f.root, ['1', 'hint'])).stdout).toContain('hint 2 of 3');
    expect((await runLab(f.root, ['1', 'hint', '3'])).stdout).toMatch(/hint 3 of 3[\s\S]*return a \+ b/);
    expect((await runLab(f.root, ['1', 'hint', '1'])).stdout).toContain('hint 1 of 3');
    expect(progressOf(f)['01']?.hintsShown).toBe(3);
    expect((await runLab(f.root, ['1', 'hint'])).stdout).toContain('hint 3 of 3');

    expect((await runLab(f.root, ['1', 'reset'])).code).toBe(0);
    expect(report(await runLab(f.root, ['1', 'check', '--json'])).nextHint).toEqual({ level: 3, of: 3 });
    const status = await runLab(f.root, ['status']);
    expect(status.stdout).toMatch(/^01\s+Demo lab\s+starter\s+—\s+fail .*3\/3$/m);
  });

  it('a corrupt progress file is kept aside with a warning naming it, and rebuilt', async () => {
    const f = fixture({ venv: false });
    f.write('.labs/progress.json', '{"version": 1, "labs": ');
    const result = await runLab(f.root, ['1', 'hint']);
    expect(result.code).toBe(0);
    const [aside] = readdirSync(path.join(f.root, '.labs')).filter((name) => name.startsWith('progress.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(linesOf(result.stderr)).toEqual([
      `warning: .labs/progress.json was unreadable (it is not valid JSON); starting fresh — the old file is kept as .labs/${aside ?? ''}`,
    ]);
    expect(f.text(`.labs/${aside ?? ''}`)).toBe('{"version": 1, "labs": ');
    expect(progressOf(f)['01']?.hintsShown).toBe(1);
  });

  it('check --watch --json prints a second report after an owned file changes', async () => {
    const f = fixture();
    expect((await runLab(f.root, ['1', 'reset'])).code).toBe(0);
    const child = spawn(process.execPath, [LAB_CLI, '1', 'check', '--watch', '--json'], { cwd: KIT_ROOT, env: cliEnv(f.root), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.trim()));
      waiters.splice(0).forEach((wake) => wake());
    });
    const lineCount = async (n: number): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (lines.length < n) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`only ${lines.length} report line(s): ${lines.join('\n')}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 500);
        });
      }
    };
    let errors = '';
    const armed = new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        errors += chunk.toString('utf8');
        if (errors.includes('watching for changes')) resolve();
      });
    });
    try {
      await lineCount(1);
      expect(checkReportSchema.parse(JSON.parse(lines[0] ?? '')).result).toBe('fail');
      await armed; // the watchers are set: a save from now on is seen (an event, not a sleep)
      f.write('svc/greet.py', greetFile(DEMO.helloSolution, DEMO.byeSolution));
      f.write('svc/demo.py', DEMO.solution);
      await lineCount(2);
      expect(checkReportSchema.parse(JSON.parse(lines[1] ?? '')).result).toBe('pass');
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    expect(f.exists('.labs/lock')).toBe(false);
  });
});

describe.concurrent('workspace commands', () => {
  it('restore lists backups newest first and brings back exactly the bytes reset replaced', async () => {
    const f = fixture({ venv: false });
    f.write('svc/demo.py', 'def add(a: int, b: int) -> int:\n    return a - b  # my attempt, caf\xe9\n');
    const mine = bytesOf(f, OWNED_1);
    const reset = await runLab(f.root, ['1', 'reset']);
    expect(reset.code).toBe(0);
    const resetId = /backup: \.labs\/backups\/(\S+)/.exec(reset.stdout)?.[1] ?? '';
    expect(reset.stdout).toContain(`\`pnpm lab 1 restore ${resetId}\` undoes this`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const solve = await runLab(f.root, ['1', 'solve']);
    const solveId = /backup: \.labs\/backups\/(\S+)/.exec(solve.stdout)?.[1] ?? '';

    const listed = await runLab(f.root, ['1', 'restore']);
    expect(listed.code).toBe(0);
    expect(linesOf(listed.stdout).slice(1).map((line) => line.trim().split(/\s+/)[0])).toEqual([solveId, resetId]);

    const restored = await runLab(f.root, ['1', 'restore', resetId]);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(`lab 01: wrote the backup ${resetId}`);
    expect(bytesOf(f, OWNED_1)).toEqual(mine);

    const noop = await runLab(f.root, ['1', 'restore', resetId]);
    expect(noop.stdout).toContain('nothing changed');
    expect(f.backupFolders()).toHaveLength(3);
  });

  it('reset names an unfinished earlier lab with both commands that catch up, and writes only its own starter', async () => {
    const f = fixture();
    expect((await runLab(f.root, ['1', 'reset'])).code).toBe(0);
    const reset = await runLab(f.root, ['2', 'reset']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(
      'note: lab 1 (Demo lab) is not done: it still has TODO(lab 1) in svc/demo.py — run `pnpm lab 1 solve` or `pnpm lab 2 reset --catch-up`',
    );
    expect(f.text('svc/demo.py')).toBe(DEMO.starter);
    expect(f.text('svc/greet.py')).toBe(greetFile(DEMO.helloStarter, DEMO.byeStarter));

    // Lab 2's own work done, lab 1's not: the failing check blames lab 1 as its own cause.
    f.write('svc/greet.py', greetFile(DEMO.helloStarter, DEMO.byeSolution));
    f.write('svc/shout.py', DEMO.shoutSolution);
    const checked = await runLab(f.root, ['2', 'check', '--json']);
    expect(checked.code).toBe(1);
    expect(report(checked).earlierLabs).toEqual([
      { lab: 1, title: 'Demo lab', message: expect.stringMatching(/^lab 1 \(Demo lab\) is not done: .*`pnpm lab 1 solve` or `pnpm lab 2 reset --catch-up`$/) },
    ]);
  });

  it("reset --catch-up writes the earlier lab's solution and this lab's starter in one backup", async () => {
    const f = fixture({ venv: false });
    expect((await runLab(f.root, ['1', 'reset'])).code).toBe(0);
    const before = bytesOf(f, ['svc/demo.py', 'svc/greet.py', 'svc/shout.py']);
    const backupsBefore = f.backupFolders();

    const caught = await runLab(f.root, ['2', 'reset', '--catch-up']);
    expect(caught.code).toBe(0);
    expect(caught.stdout).toContain('caught up: wrote the solutions of lab 1');
    expect(caught.stdout).not.toContain('note:');
    expect(f.text('svc/demo.py')).toBe(DEMO.solution);
    expect(f.text('svc/greet.py')).toBe(greetFile(DEMO.helloSolution, DEMO.byeStarter));
    expect(f.text('svc/shout.py')).toBe(DEMO.shoutStarter);

    const added = f.backupFolders().filter((id) => !backupsBefore.includes(id));
    expect(added).toHaveLength(1);
    const backup = JSON.parse(readFileSync(path.join(f.root, '.labs/backups', added[0] ?? '', 'backup.json'), 'utf8')) as { lab: string; verb: string; entries: { path: string }[] };
    expect(backup).toMatchObject({ lab: '02', verb: 'catch-up' });
    expect(backup.entries.map((e) => e.path).sort()).toEqual(['svc/demo.py', 'svc/greet.py', 'svc/shout.py']);

    expect((await runLab(f.root, ['2', 'restore', added[0] ?? ''])).code).toBe(0);
    expect(bytesOf(f, ['svc/demo.py', 'svc/greet.py', 'svc/shout.py'])).toEqual(before);
  });
});
