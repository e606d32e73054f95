import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goTestFailures, modulePathOf, positionedLines } from './go.ts';

/**
 * What `go test -json -count=1 ./...` (Go 1.26) prints for module example.com/catalog in
 * /home/ada/tracks/go/catalog: internal/broken does not build, internal/app has a table test
 * whose second case fails with t.Errorf.
 */
const STREAM = `{"ImportPath":"example.com/catalog/internal/broken [example.com/catalog/internal/broken.test]","Action":"build-output","Output":"# example.com/catalog/internal/broken [example.com/catalog/internal/broken.test]\\n"}
{"ImportPath":"example.com/catalog/internal/broken [example.com/catalog/internal/broken.test]","Action":"build-output","Output":"internal/broken/broken.go:3:24: undefined: missing\\n"}
{"ImportPath":"example.com/catalog/internal/broken [example.com/catalog/internal/broken.test]","Action":"build-fail"}
{"Time":"2026-11-25T09:25:40.988070778Z","Action":"start","Package":"example.com/catalog/internal/app"}
{"Time":"2026-11-25T09:25:40.988283952Z","Action":"start","Package":"example.com/catalog/internal/broken"}
{"Time":"2026-11-25T09:25:40.988298915Z","Action":"output","Package":"example.com/catalog/internal/broken","Output":"FAIL\\texample.com/catalog/internal/broken [build failed]\\n"}
{"Time":"2026-11-25T09:25:40.988312363Z","Action":"fail","Package":"example.com/catalog/internal/broken","Elapsed":0,"FailedBuild":"example.com/catalog/internal/broken [example.com/catalog/internal/broken.test]"}
{"Time":"2026-11-25T09:25:40.989906979Z","Action":"run","Package":"example.com/catalog/internal/app","Test":"TestTotal"}
{"Time":"2026-11-25T09:25:40.989923362Z","Action":"output","Package":"example.com/catalog/internal/app","Test":"TestTotal","Output":"=== RUN   TestTotal\\n"}
{"Time":"2026-11-25T09:25:40.989948394Z","Action":"run","Package":"example.com/catalog/internal/app","Test":"TestTotal/zero"}
{"Time":"2026-11-25T09:25:40.989950395Z","Action":"output","Package":"example.com/catalog/internal/app","Test":"TestTotal/zero","Output":"=== RUN   TestTotal/zero\\n"}
{"Time":"2026-11-25T09:25:40.989956116Z","Action":"output","Package":"example.com/catalog/internal/app","Test":"TestTotal/zero","Output":"--- PASS: TestTotal/zero (0.00s)\\n"}
{"Time":"2026-11-25T09:25:40.989958126Z","Action":"pass","Package":"example.com/catalog/internal/app","Test":"TestTotal/zero","Elapsed":0}
{"Time":"2026-11-25T09:25:40.989961464Z","Action":"run","Package":"example.com/catalog/internal/app","Test":"TestTotal/two_plus_three"}
{"Time":"2026-11-25T09:25:40.989963033Z","Action":"output","Package":"example.com/catalog/internal/app","Test":"TestTotal/two_plus_three","Output":"=== RUN   TestTotal/two_plus_three\\n"}
{"Time":"2026-11-25T09:25:40.989965851Z","Action":"output","Package":"example.com/catalog/internal/app","Test":"TestTotal/two_plus_three","Output":"    price_test.go:14: Total(2, 3) = -1, want 5\\n"}
{"Time":"2026-11-25T09:25:40.989969149Z","Action":"output","Package":"example.com/catalog/internal/app","Test":"TestTotal/two_plus_three","Output":"--- FAIL: TestTotal/two_plus_three (0.00s)\\n"}
{"Time":"2026-11-25T09:25:40.989973622Z","Action":"fail","Package":"example.com/catalog/internal/app","Test":"TestTotal/two_plus_three","Elapsed":0}
{"Time":"2026-11-25T09:25:40.989975877Z","Action":"output","Package":"example.com/catalog/internal/app","Test":"TestTotal","Output":"--- FAIL: TestTotal (0.00s)\\n"}
{"Time":"2026-11-25T09:25:40.989977574Z","Action":"fail","Package":"example.com/catalog/internal/app","Test":"TestTotal","Elapsed":0}
{"Time":"2026-11-25T09:25:40.989979188Z","Action":"output","Package":"example.com/catalog/internal/app","Output":"FAIL\\n"}
{"Time":"2026-11-25T09:25:40.990263745Z","Action":"output","Package":"example.com/catalog/internal/app","Output":"FAIL\\texample.com/catalog/internal/app\\t0.002s\\n"}
{"Time":"2026-11-25T09:25:40.990270541Z","Action":"fail","Package":"example.com/catalog/internal/app","Elapsed":0.002}`;

const ROOT = '/home/ada/tracks';
const MODULE_DIR = '/home/ada/tracks/go/catalog';

describe('goTestFailures (go test -json)', () => {
  const failures = goTestFailures(STREAM, MODULE_DIR, ROOT, 'example.com/catalog');

  it('a failing subtest: its full name, the t.Errorf message, and file:line in its package folder', () => {
    expect(failures).toContainEqual({
      test: 'example.com/catalog/internal/app.TestTotal/two_plus_three',
      message: 'Total(2, 3) = -1, want 5',
      where: 'go/catalog/internal/app/price_test.go:14',
    });
  });

  it('a build failure: the compiler message at its file:line', () => {
    expect(failures).toContainEqual({
      test: 'example.com/catalog/internal/broken [example.com/catalog/internal/broken.test]',
      message: 'undefined: missing',
      where: 'go/catalog/internal/broken/broken.go:3',
    });
  });

  it('reports each mistake once: not the parent test, not the failed packages again', () => {
    expect(failures).toHaveLength(2);
  });

  it('reads the module path from go.mod when it is not given', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-go-'));
    try {
      mkdirSync(path.join(dir, 'go', 'catalog'), { recursive: true });
      writeFileSync(path.join(dir, 'go', 'catalog', 'go.mod'), 'module example.com/catalog\n\ngo 1.26\n');
      const read = goTestFailures(STREAM, path.join(dir, 'go', 'catalog'), dir);
      expect(read.find((f) => f.test?.endsWith('two_plus_three'))?.where).toBe('go/catalog/internal/app/price_test.go:14');
      expect(modulePathOf(MODULE_DIR)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a package that fails without a failing test (a panic in init) is reported with its output', () => {
    const panic = [
      { Action: 'start', Package: 'example.com/catalog/internal/app' },
      { Action: 'output', Package: 'example.com/catalog/internal/app', Output: 'panic: config missing\n' },
      { Action: 'output', Package: 'example.com/catalog/internal/app', Output: 'FAIL\texample.com/catalog/internal/app\t0.01s\n' },
      { Action: 'fail', Package: 'example.com/catalog/internal/app', Elapsed: 0.01 },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n');
    expect(goTestFailures(panic, MODULE_DIR, ROOT, 'example.com/catalog')).toEqual([{ test: 'example.com/catalog/internal/app', message: 'panic: config missing' }]);
  });
});

describe('positionedLines', () => {
  it('turns file:line[:col]: message lines (vet-prefixed too) into failures with repository paths', () => {
    const text = ['# example.com/catalog/internal/app', 'vet: internal/app/price.go:3:9: unreachable code', './main.go:10: missing return', 'not a position line'].join('\n');
    expect(positionedLines(text, MODULE_DIR, ROOT)).toEqual([
      { message: 'unreachable code', where: 'go/catalog/internal/app/price.go:3' },
      { message: 'missing return', where: 'go/catalog/main.go:10' },
    ]);
  });
});
