import { describe, expect, it } from 'vitest';
import { vitestFailures } from './typescript.ts';

const root = '/work/copy';

describe('vitestFailures', () => {
  it('names the failed test, its message without the stack, and the test file line', () => {
    const json = JSON.stringify({
      testResults: [
        {
          name: `${root}/labs/16-x/check/lab16.test.ts`,
          status: 'failed',
          message: '',
          assertionResults: [
            { fullName: 'replay good', title: 'good', status: 'passed', failureMessages: [] },
            {
              fullName: 'replay faulty-error-rate',
              title: 'faulty-error-rate',
              status: 'failed',
              failureMessages: [
                `AssertionError: promoted a faulty candidate (TODO(lab 16)): expected 'promoted' to be 'rolled-back'\n    at ${root}/labs/16-x/check/lab16.test.ts:42:7\n    at file:///x/node_modules/vitest/dist/run.js:1:2`,
              ],
            },
          ],
        },
      ],
    });
    expect(vitestFailures(json, root)).toEqual([
      {
        test: 'labs/16-x/check/lab16.test.ts > replay faulty-error-rate',
        message: "AssertionError: promoted a faulty candidate (TODO(lab 16)): expected 'promoted' to be 'rolled-back'",
        where: 'labs/16-x/check/lab16.test.ts:42',
      },
    ]);
  });

  it('reports a test file that failed to load as one failure', () => {
    const json = JSON.stringify({ testResults: [{ name: `${root}/t.test.ts`, status: 'failed', message: "SyntaxError: Unexpected token '}'\nmore", assertionResults: [] }] });
    expect(vitestFailures(json, root)).toEqual([{ test: 't.test.ts', message: "SyntaxError: Unexpected token '}'\nmore", where: 't.test.ts' }]);
  });

  it('is empty when everything passed', () => {
    expect(vitestFailures(JSON.stringify({ testResults: [{ name: `${root}/t.test.ts`, status: 'passed', assertionResults: [{ status: 'passed' }] }] }), root)).toEqual([]);
  });
});
