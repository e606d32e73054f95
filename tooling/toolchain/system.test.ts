import { describe, expect, it } from 'vitest';
import { findBrowser } from './browser.ts';
import { installCommand, osReleaseIds, packagesFor, platformFrom, systemFix, type PlatformFacts } from './system.ts';
import { loadToolchain, parseToolchain } from './tools.ts';

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

function facts(over: Partial<PlatformFacts> & { commands?: string[] }): PlatformFacts {
  const commands = new Set(over.commands ?? []);
  return { os: 'linux', osRelease: '', wsl: false, root: false, sudoWithoutPassword: false, has: (c) => commands.has(c), ...over };
}

const chromium = { fix: 'generic chromium fix', system: { apt: 'chromium', dnf: 'chromium', brew: '--cask chromium' } };
const prometheus = { fix: 'generic', system: { apt: 'prometheus', dnf: 'golang-github-prometheus', brew: 'prometheus' } };

describe('the platform, from plain facts', () => {
  it('reads ID and ID_LIKE from os-release', () => {
    expect(osReleaseIds(UBUNTU)).toEqual(['ubuntu', 'debian']);
    expect(osReleaseIds('ID="rhel"\nID_LIKE="centos fedora"\n')).toEqual(['rhel', 'centos', 'fedora']);
    expect(osReleaseIds('')).toEqual([]);
  });

  it('Debian as root installs with apt-get, no sudo', () => {
    const p = platformFrom(facts({ osRelease: DEBIAN, root: true, commands: ['apt-get'] }));
    expect(p).toEqual({ name: 'debian', manager: 'apt', privileged: true, sudo: false });
    expect(installCommand(p, ['chromium', 'wrk'])).toEqual(['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'chromium', 'wrk']);
  });

  it('Ubuntu with passwordless sudo installs through `sudo -n`; without it, it may not install', () => {
    const sudo = platformFrom(facts({ osRelease: UBUNTU, sudoWithoutPassword: true, commands: ['apt-get', 'sudo'] }));
    expect(sudo).toMatchObject({ name: 'debian', manager: 'apt', privileged: true, sudo: true });
    expect(installCommand(sudo, ['wrk'])?.slice(0, 3)).toEqual(['sudo', '-n', 'apt-get']);
    expect(platformFrom(facts({ osRelease: UBUNTU, commands: ['apt-get'] })).privileged).toBe(false);
  });

  it('Fedora uses dnf; macOS Homebrew (never as root, never sudo); WSL is Linux with its distro manager', () => {
    expect(platformFrom(facts({ osRelease: FEDORA, root: true, commands: ['dnf'] }))).toMatchObject({ name: 'fedora', manager: 'dnf' });
    expect(platformFrom(facts({ os: 'darwin', commands: ['brew'] }))).toEqual({ name: 'macos', manager: 'brew', privileged: true, sudo: false });
    expect(platformFrom(facts({ os: 'darwin' })).manager).toBeUndefined();
    expect(platformFrom(facts({ osRelease: UBUNTU, wsl: true, commands: ['apt-get'] }))).toMatchObject({ name: 'wsl', manager: 'apt' });
    expect(platformFrom(facts({ os: 'win32' }))).toEqual({ name: 'windows', privileged: false, sudo: false });
    expect(platformFrom(facts({ osRelease: 'ID=alpine\n', commands: ['apk'] }))).toEqual({ name: 'other', privileged: false, sudo: true });
  });
});

describe("the doctor's fix line, per platform", () => {
  const at = (f: Partial<PlatformFacts> & { commands?: string[] }): ReturnType<typeof platformFrom> => platformFrom(facts(f));
  it('names the package of that platform, with sudo where the user is not root', () => {
    expect(systemFix(chromium, at({ osRelease: DEBIAN, root: true, commands: ['apt-get'] }))).toBe('apt-get install -y --no-install-recommends chromium');
    expect(systemFix(chromium, at({ osRelease: UBUNTU, commands: ['apt-get'] }))).toBe('sudo apt-get install -y --no-install-recommends chromium');
    expect(systemFix(prometheus, at({ osRelease: FEDORA, commands: ['dnf'] }))).toBe('sudo dnf install -y golang-github-prometheus');
    expect(systemFix(chromium, at({ os: 'darwin', commands: ['brew'] }))).toBe('brew install --cask chromium');
    expect(systemFix(chromium, at({ osRelease: UBUNTU, wsl: true, commands: ['apt-get'] }))).toBe('sudo apt-get install -y --no-install-recommends chromium');
  });

  it('sends Windows to WSL, and falls back to the generic fix where no manager is known', () => {
    expect(systemFix(chromium, at({ os: 'win32' }))).toBe('the kit runs under WSL 2 (Ubuntu) on Windows: in a WSL shell, sudo apt-get install -y --no-install-recommends chromium');
    expect(systemFix(chromium, at({ os: 'darwin' }))).toBe('generic chromium fix');
    expect(systemFix({ fix: 'go install x' }, at({ osRelease: DEBIAN, commands: ['apt-get'] }))).toBe('go install x');
  });

  it('installs one package once even when it brings two tools (prometheus and promtool)', () => {
    expect(packagesFor([prometheus, prometheus, chromium], 'apt')).toEqual(['prometheus', 'chromium']);
    expect(packagesFor([chromium], 'brew')).toEqual(['--cask chromium']);
    expect(installCommand({ name: 'macos', manager: 'brew', privileged: true, sudo: false }, ['--cask chromium'])).toEqual(['brew', 'install', '--cask', 'chromium']);
    expect(installCommand({ name: 'other', privileged: true, sudo: false }, ['x'])).toBeUndefined();
  });
});

describe('toolchain.json system entries', () => {
  it('every tool pnpm test needs from the OS names its package for apt, dnf and brew', () => {
    const system = loadToolchain().tools.filter((t) => t.system);
    expect(system.map((t) => t.id).sort()).toEqual(['chromium', 'postgres', 'prometheus', 'promtool', 'wrk']);
    for (const t of system) expect(Object.keys(t.system ?? {}).sort(), t.id).toEqual(['apt', 'brew', 'dnf']);
  });

  it('rejects an unknown manager or an empty package name with one line', () => {
    const tool = (system: unknown): unknown => ({ tools: { x: { bin: 'x', required: false, for: 'f', source: 's', version: { args: [], pattern: '(x)' }, fix: 'f', system } } });
    expect(() => parseToolchain(tool({ apk: 'x' }))).toThrow('toolchain.json: tools.x.system.apk: the managers are apt, dnf and brew');
    expect(() => parseToolchain(tool({ apt: '' }))).toThrow('tools.x.system.apt must be a package name');
  });
});

describe('findBrowser', () => {
  const env = { PATH: '/usr/local/bin:/usr/bin' };
  it('takes SLIDES_CHROMIUM when it names an executable, and nothing else then', () => {
    expect(findBrowser({ ...env, SLIDES_CHROMIUM: '/opt/chrome/chrome' }, (p) => p === '/opt/chrome/chrome')).toBe('/opt/chrome/chrome');
    expect(findBrowser({ ...env, SLIDES_CHROMIUM: '/nope' }, (p) => p === '/usr/bin/chromium')).toBeUndefined();
  });
  it('finds chromium, chromium-browser or Chrome on PATH, then the macOS apps', () => {
    expect(findBrowser(env, (p) => p === '/usr/bin/chromium-browser')).toBe('/usr/bin/chromium-browser');
    expect(findBrowser(env, (p) => p === '/usr/bin/google-chrome' || p === '/usr/local/bin/chromium')).toBe('/usr/local/bin/chromium');
    expect(findBrowser(env, (p) => p.startsWith('/Applications/Google Chrome.app'))).toBe('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome');
    expect(findBrowser(env, () => false)).toBeUndefined();
  });
});
