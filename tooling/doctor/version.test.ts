import { describe, expect, it } from 'vitest';
import { compareVersions, extractVersion, goModuleVersion, parseVersion } from './version.ts';

describe('compareVersions', () => {
  it.each([
    ['1.26.8', '1.26', 1],
    ['1.26', '1.26.0', 0],
    ['v2.15.0', '2.15.0', 0],
    ['22.11.9', '22.12.0', -1],
    ['24.21.0', '22.12.0', 1],
    ['3.10.12', '3.11', -1],
    ['3.11.2', '3.11.0', 1],
    ['15.18', '15', 1],
    ['9.6', '15', -1],
    ['0.13.9', '0.13.10', -1],
    ['1.36.12', '1.36.2', 1],
  ])('%s vs %s -> %i', (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
    expect(compareVersions(b, a)).toBe(-want || 0);
  });

  it('refuses strings without a version', () => {
    expect(parseVersion('dev')).toBeUndefined();
    expect(() => compareVersions('dev', '1.0')).toThrow(/cannot compare/);
  });
});

describe('extractVersion', () => {
  it('reads the real outputs of the tools', () => {
    expect(extractVersion('uv 0.13.9 (x86_64-unknown-linux-gnu)\n', 'uv (\\d+\\.\\d+\\.\\d+)')).toBe('0.13.9');
    expect(extractVersion('go version go1.26.8 linux/amd64\n', 'go(\\d+\\.\\d+(?:\\.\\d+)?)')).toBe('1.26.8');
    expect(extractVersion('go version go1.26 linux/amd64\n', 'go(\\d+\\.\\d+(?:\\.\\d+)?)')).toBe('1.26');
    expect(extractVersion('Python 3.11.7\n', 'Python (\\d+\\.\\d+\\.\\d+)')).toBe('3.11.7');
    expect(extractVersion('postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n', '\\(PostgreSQL\\) (\\d+(?:\\.\\d+)*)')).toBe('15.18');
    const chromium = 'Chromium 156.0.8078.73 built on Debian GNU/Linux 12 (bookworm)\n/usr/bin/chromium: 1: [: x: unexpected operator\n';
    expect(extractVersion(chromium, 'Chromium (\\d+\\.\\d+\\.\\d+(?:\\.\\d+)?)')).toBe('156.0.8078.73');
    expect(extractVersion('staticcheck 2026.2.2 (0.8.2)', '\\((v?\\d+\\.\\d+\\.\\d+)\\)')).toBe('0.8.2');
    expect(extractVersion('something else', 'uv (\\d+)')).toBeUndefined();
  });

  it('reads a Go binary module version from `go version -m`', () => {
    const out = [
      '/repo/.tools/bin/staticcheck: go1.26.8',
      '\tpath\thonnef.co/go/tools/cmd/staticcheck',
      '\tmod\thonnef.co/go/tools\tv0.8.2\th1:abc=',
      '\tdep\tgolang.org/x/tools\tv0.40.0\th1:def=',
    ].join('\n');
    expect(goModuleVersion(out, 'honnef.co/go/tools')).toBe('v0.8.2');
    expect(goModuleVersion(out, 'golang.org/x/tools')).toBeUndefined();
  });
});
