import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failedTestIds, failedTestMessages, huntFlakes, huntReport, parseTestArgs, tally, withMachineOutput, type GateRun } from './flake-hunt.ts';
import { allGates, type Gate } from './gates.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const gate = (over: Partial<Gate>): Gate => ({ name: 'g', scope: 'ts', command: 'x', args: [], cwd: root, ...over });

describe('pnpm test arguments', () => {
  it('takes --repeat N and --load K, and nothing else', () => {
    expect(parseTestArgs([])).toEqual({ load: 0 });
    expect(parseTestArgs(['--repeat', '10'])).toEqual({ repeat: 10, load: 0 });
    expect(parseTestArgs(['--repeat', '3', '--load', '2'])).toEqual({ repeat: 3, load: 2 });
    expect(parseTestArgs(['--repeat'])).toMatch(/^--repeat needs a whole number of runs, 1 to 1000 \(got ''\)/);
    expect(parseTestArgs(['--repeat', '0'])).toMatch(/^--repeat needs/);
    expect(parseTestArgs(['--repeat', '2x'])).toMatch(/^--repeat needs/);
    expect(parseTestArgs(['--load', '2'])).toMatch(/^--load goes with --repeat/);
    expect(parseTestArgs(['--repeat', '2', '--load', '-1'])).toMatch(/^--load needs/);
    expect(parseTestArgs(['--watch'])).toMatch(/^unknown argument '--watch' — usage: pnpm test \[--repeat N \[--load K\]\]$/);
  });
});

describe('the timing-sensitive gates', () => {
  it('are the contract suites, the polyglot E2E, pytest and go test -race of every Go module', () => {
    const timed = allGates(root).filter((g) => g.timing);
    expect(timed.map((g) => `${g.name}=${g.timing ?? ''}`)).toEqual([
      'ts: contract suites=vitest',
      'ts: e2e (polyglot)=vitest',
      'python: pytest=pytest',
      ...allGates(root).filter((g) => g.name.endsWith(': go test -race')).map((g) => `${g.name}=go-test`),
    ]);
    expect(timed.filter((g) => g.timing === 'go-test').length).toBeGreaterThanOrEqual(2);
  });

  it('run with their machine output: vitest JSON, pytest JUnit, go test -json', () => {
    expect(withMachineOutput(gate({ args: ['run', 'tooling/e2e'] }), 'vitest', '/t/o').args).toEqual(['run', 'tooling/e2e', '--reporter=json', '--outputFile=/t/o']);
    expect(withMachineOutput(gate({ args: ['-m', 'pytest', '-q'] }), 'pytest', '/t/o').args).toEqual(['-m', 'pytest', '-q', '-o', 'junit_family=xunit1', '--junitxml=/t/o']);
    expect(withMachineOutput(gate({ args: ['test', '-race', './...'] }), 'go-test', '/t/o').args).toEqual(['test', '-json', '-race', './...']);
  });
});

describe('the tally', () => {
  it('names the failed tests from each runner and counts failed runs per test', () => {
    const vitestJson = JSON.stringify({ testResults: [{ name: path.join(root, 'tooling/contract/fanout.contract.test.ts'), status: 'failed', assertionResults: [{ fullName: 'python five at once', status: 'failed', failureMessages: ['6 upstream calls ran at once'] }] }] });
    expect(failedTestIds('vitest', vitestJson, gate({}), root)).toEqual(['tooling/contract/fanout.contract.test.ts > python five at once']);
    const goJson = ['{"Action":"output","Package":"m/p","Test":"TestX","Output":"x_test.go:3: boom\\n"}', '{"Action":"fail","Package":"m/p","Test":"TestX"}', '{"Action":"fail","Package":"m/p"}'].join('\n');
    expect(failedTestIds('go-test', goJson, gate({}), root)).toEqual(['m/p.TestX']);
    expect(failedTestMessages('vitest', vitestJson, gate({}), root).get('tooling/contract/fanout.contract.test.ts > python five at once')).toContain('6 upstream calls ran at once');
    expect(failedTestMessages('go-test', goJson, gate({}), root).get('m/p.TestX')).toContain('boom');
    expect(failedTestIds('pytest', 'not xml at all <', gate({}), root)).toEqual([]);
    const runs: GateRun[] = [
      { gate: 'a', passed: false, ms: 1, failedTests: ['t1', 't1'] },
      { gate: 'a', passed: false, ms: 1, failedTests: ['t1', 't2'] },
      { gate: 'b', passed: true, ms: 1, failedTests: [] },
    ];
    expect(tally(runs)).toEqual([['t1', 2], ['t2', 1]]);
    expect(huntReport(runs, 5)).toEqual({ exitCode: 1, text: 'flake hunt: 2 test(s) failed in some runs (failed runs / runs):\n    2/5  t1\n    1/5  t2' });
    expect(huntReport([runs[2] as GateRun], 5)).toEqual({ exitCode: 0, text: 'flake hunt: 0 failures in 5 runs of 1 gates' });
  });
});

describe('huntFlakes, on a real pytest that fails every other run', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hunt-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the gate N times and counts the flaky test, not the steady one', async () => {
    writeFileSync(
      path.join(dir, 'test_flaky.py'),
      [
        'from pathlib import Path',
        '',
        'COUNTER = Path(__file__).with_name("runs")',
        '',
        '',
        'def test_flaky() -> None:',
        '    n = int(COUNTER.read_text()) + 1 if COUNTER.exists() else 1',
        '    COUNTER.write_text(str(n))',
        '    assert n % 2 == 0, f"odd run {n}"',
        '',
        '',
        'def test_steady() -> None:',
        '    assert True',
        '',
      ].join('\n'),
    );
    const python = path.join(root, '.venv', 'bin', 'python');
    const lines: string[] = [];
    const pytest = gate({ name: 'python: pytest', command: python, args: ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', dir], cwd: dir, timing: 'pytest', alone: true });
    const runs = await huntFlakes([pytest, gate({ name: 'not timed', command: '/nonexistent' })], { root: dir, repeat: 3, load: 1, log: (s) => lines.push(s) });
    expect(runs.map((r) => r.passed)).toEqual([false, true, false]);
    expect(tally(runs)).toEqual([['test_flaky.py::test_flaky', 2]]);
    expect(lines[0]).toBe('flake hunt: 1 timing-sensitive gates × 3 runs, beside 1 CPU-bound neighbours');
    expect(lines.filter((l) => l.startsWith('run 2/3: all passed'))).toHaveLength(1);
    // A failed run says why, under its line: a flake seen once can be diagnosed from the log.
    const afterRun1 = lines[lines.findIndex((l) => l.startsWith('run 1/3: FAILED')) + 1] ?? '';
    expect(afterRun1).toContain('test_flaky.py::test_flaky:');
    expect(lines.join('\n')).toContain('odd run 1');
  }, 60_000);
});
