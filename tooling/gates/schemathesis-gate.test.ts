/** The schemathesis gate's shape: bounded and seeded, all checks, skipped only off CI. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGS, GATEWAY_USER, TARGETS, schemathesisArgs } from '../contract/schemathesis.ts';
import { allGates, schemathesisGate } from './gates.ts';
import { findTool } from '../toolchain/tools.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('the schemathesis gate', () => {
  it('is in pnpm test, alone, and runs the TS runner', () => {
    const gate = allGates(root).find((g) => g.name.includes('schemathesis'));
    expect(gate?.alone).toBe(true);
    expect(gate?.args.at(-1)).toBe(path.join(root, 'tooling', 'contract', 'schemathesis.ts'));
  });

  it('fuzzes both catalogs from the committed document with every check, seeded and bounded', () => {
    expect(CATALOGS).toEqual(['python-catalog', 'go-catalog']);
    const args = schemathesisArgs(root, 'http://127.0.0.1:1');
    expect(args.slice(0, 2)).toEqual(['run', path.join(root, 'tooling/contract/catalog.openapi.json')]);
    for (const [flag, value] of [['--url', 'http://127.0.0.1:1'], ['--checks', 'all'], ['--max-examples', '50'], ['--seed', '1'], ['--workers', '1']] as const) {
      expect(args[args.indexOf(flag) + 1], flag).toBe(value);
    }
  });

  it('fuzzes the gateway too, from its own document, as u-1 with a bearer token, with every check', () => {
    expect(TARGETS).toEqual(['python-catalog', 'go-catalog', 'gateway']);
    expect(GATEWAY_USER).toBe('u-1');
    const args = schemathesisArgs(root, 'http://127.0.0.1:1', { bearer: 'jwt' });
    expect(args.slice(0, 4)).toEqual(['--config-file', path.join(root, 'tooling/contract/schemathesis.gateway.toml'), 'run', path.join(root, 'tooling/contract/gateway.openapi.json')]);
    for (const [flag, value] of [['--url', 'http://127.0.0.1:1'], ['--checks', 'all'], ['--max-examples', '50'], ['--seed', '1'], ['--workers', '1'], ['--header', 'Authorization: Bearer jwt']] as const) {
      expect(args[args.indexOf(flag) + 1], flag).toBe(value);
    }
    expect(args).not.toContain('--exclude-checks');
  });

  it('the gateway\'s 504 exemption holds only for a request that asked for a small budget', () => {
    const python = findTool(root, 'python');
    if (!python) return; // no .venv: the gate itself is skipped with the fix
    // Each line: the status, the X-Request-Timeout-Ms sent ('-': none), whether the check passes.
    const script = [
      'import sys; sys.path.insert(0, "tooling/contract")',
      'from types import SimpleNamespace as N',
      'import schemathesis_gateway_hooks as h',
      'for status, asked in [(504, "42"), (504, "499"), (504, "500"), (504, None), (504, "x"), (200, None), (502, None)]:',
      '    headers = {} if asked is None else {"X-Request-Timeout-Ms": asked}',
      '    try:',
      '        h.gateway_timeout_only_when_asked(None, N(status_code=status, request=N(headers=headers)), None); ok = True',
      '    except AssertionError:',
      '        ok = False',
      '    print(status, asked or "-", ok)',
    ].join('\n');
    const out = execFileSync(python, ['-c', script], { cwd: root, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(out.trim().split('\n')).toEqual(['504 42 True', '504 499 True', '504 500 False', '504 - False', '504 x False', '200 - True', '502 - True']);
    // 502 passes this check because the built-in not_a_server_error still fails it: only 504 is widened.
    const toml = readFileSync(path.join(root, 'tooling/contract/schemathesis.gateway.toml'), 'utf8');
    expect(toml).toMatch(/^expected-statuses = \["2xx", "3xx", "4xx", "504"\]$/m);
  }, 30_000);

  it('the gateway\'s NDJSON lines are each validated against the document\'s StreamLine', () => {
    const python = findTool(root, 'python');
    if (!python) return;
    const item = '{"recommendation":{"item_id":"es-01","title":"t","score":0.5,"reason":"r","tags":[],"difficulty":"beginner"},"position":0}';
    const error = '{"error":{"type":"https://language-tracks.example/problems/upstream-error","title":"Upstream error","status":502,"detail":"d","code":"upstream_error"}}';
    const cases: [string, string][] = [
      ['items and a final error', `${item}\n${error}\n`],
      ['no lines', ''],
      ['a line without position', '{"recommendation":{"item_id":"x","title":"t","score":1,"reason":"r","tags":[],"difficulty":""}}\n'],
      ['an unknown code', error.replace('upstream_error', 'boom') + '\n'],
      ['no final newline', item],
      ['not JSON', 'nope\n'],
    ];
    const script = [
      'import json, sys; sys.path.insert(0, "tooling/contract")',
      'from types import SimpleNamespace as N',
      'import schemathesis_gateway_hooks as h',
      'doc = json.load(open("tooling/contract/gateway.openapi.json"))',
      'case = N(operation=N(schema=N(raw_schema=doc)))',
      'for name, body in json.loads(sys.argv[1]):',
      '    response = N(status_code=200, headers={"content-type": ["application/x-ndjson"]}, content=body.encode())',
      '    try:',
      '        h.ndjson_lines_conform(None, response, case); ok = True',
      '    except AssertionError:',
      '        ok = False',
      '    print(name, ok)',
    ].join('\n');
    const out = execFileSync(python, ['-c', script, JSON.stringify(cases)], { cwd: root, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(out.trim().split('\n')).toEqual(['items and a final error True', 'no lines True', 'a line without position False', 'an unknown code False', 'no final newline False', 'not JSON False']);
  }, 30_000);

  it('without schemathesis is skipped with the fix, but runs (and fails) with CI=true', () => {
    const bare = mkdtempSync(path.join(tmpdir(), 'no-venv-'));
    expect(schemathesisGate(bare, { PATH: '' }).skip).toMatch(/npm run bootstrap/);
    expect(schemathesisGate(bare, { PATH: '', CI: 'true' }).skip).toBeUndefined();
  });
});
