/**
 * The system pieces `pnpm test` needs beyond the language toolchains — a browser, prometheus and
 * promtool, PostgreSQL, wrk — and how each platform gets them. toolchain.json names each tool's
 * package per package manager (`system`); this module detects the platform, says the one fix
 * line for it (the doctor's rows) and installs what is missing where it may (bootstrap).
 *
 * Pure functions take the platform as data, so every platform's fix is unit-tested on Linux.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { findBrowser } from './browser.ts';
import { findOnPath, findTool, type ToolSpec } from './tools.ts';

export const MANAGERS = ['apt', 'dnf', 'brew'] as const;
export type Manager = (typeof MANAGERS)[number];

/** Package names per manager; a brew entry starting with `--cask ` is a cask. */
export type SystemPackages = Partial<Record<Manager, string>>;

export interface Platform {
  /** What the README calls it: debian (Debian/Ubuntu), fedora, macos, wsl (Linux under Windows), windows, other. */
  readonly name: 'debian' | 'fedora' | 'macos' | 'wsl' | 'windows' | 'other';
  /** The package manager bootstrap uses, when there is one. */
  readonly manager?: Manager;
  /** Root, or sudo without a password: bootstrap may install system packages itself. */
  readonly privileged: boolean;
  /** Whether commands need `sudo ` in front (not root). */
  readonly sudo: boolean;
}

/** Reads /etc/os-release's ID and ID_LIKE (empty when absent). */
export function osReleaseIds(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(ID|ID_LIKE)=(.*)$/.exec(line.trim());
    if (m?.[2]) ids.push(...m[2].replace(/^["']|["']$/g, '').split(/\s+/));
  }
  return ids.map((s) => s.toLowerCase()).filter(Boolean);
}

export interface PlatformFacts {
  readonly os: NodeJS.Platform;
  readonly osRelease: string;
  /** /proc/version mentions Microsoft: Linux under WSL. */
  readonly wsl: boolean;
  readonly root: boolean;
  readonly sudoWithoutPassword: boolean;
  readonly has: (command: string) => boolean;
}

/** The platform from plain facts (pure, so each platform is testable anywhere). */
export function platformFrom(f: PlatformFacts): Platform {
  const privileged = f.root || f.sudoWithoutPassword;
  const sudo = !f.root;
  // Homebrew refuses to run as root and needs no sudo.
  if (f.os === 'darwin') return { name: 'macos', privileged: true, sudo: false, ...(f.has('brew') ? { manager: 'brew' as const } : {}) };
  if (f.os === 'win32') return { name: 'windows', privileged: false, sudo: false };
  if (f.os !== 'linux') return { name: 'other', privileged, sudo };
  const ids = osReleaseIds(f.osRelease);
  const debian = ids.some((id) => id === 'debian' || id === 'ubuntu') || f.has('apt-get');
  const fedora = ids.some((id) => id === 'fedora' || id === 'rhel' || id === 'centos') || (!debian && f.has('dnf'));
  const manager: Manager | undefined = debian && f.has('apt-get') ? 'apt' : fedora && f.has('dnf') ? 'dnf' : undefined;
  const name = f.wsl ? 'wsl' : debian ? 'debian' : fedora ? 'fedora' : 'other';
  return { name, privileged, sudo, ...(manager ? { manager } : {}) };
}

/** The install command for some packages on a platform, as argv (no shell). */
export function installCommand(platform: Platform, packages: readonly string[]): string[] | undefined {
  const names = packages.flatMap((p) => p.split(' ').filter(Boolean));
  // -n: never wait for a password (bootstrap runs with no terminal input).
  const sudo = platform.sudo ? ['sudo', '-n'] : [];
  switch (platform.manager) {
    case 'apt':
      return [...sudo, 'apt-get', 'install', '-y', '-q', '--no-install-recommends', ...names];
    case 'dnf':
      return [...sudo, 'dnf', 'install', '-y', ...names];
    case 'brew':
      return ['brew', 'install', ...names];
    default:
      return undefined;
  }
}

/** The one line that fixes a missing system tool on this platform (the doctor's fix column). */
export function systemFix(spec: Pick<ToolSpec, 'fix'> & { system?: SystemPackages }, platform: Platform): string {
  const sys = spec.system;
  if (!sys) return spec.fix;
  if (platform.name === 'windows') {
    const apt = sys.apt ? `sudo apt-get install -y --no-install-recommends ${sys.apt}` : spec.fix;
    return `the kit runs under WSL 2 (Ubuntu) on Windows: in a WSL shell, ${apt}`;
  }
  const pkg = platform.manager ? sys[platform.manager] : undefined;
  if (!platform.manager || !pkg) return spec.fix;
  // A fix line is for a person: `sudo` where they are not root, never `-n`.
  return (installCommand(platform, [pkg]) ?? []).filter((a) => a !== '-n' && a !== '-q').join(' ');
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** This machine's platform. `sudo -n true` is asked only when not root. */
export async function detectPlatform(sudoCheck: () => Promise<boolean>): Promise<Platform> {
  const has = (command: string): boolean => findOnPath(command) !== undefined;
  const root = process.platform !== 'win32' && userInfo().uid === 0;
  return platformFrom({
    os: process.platform,
    osRelease: readOr('/etc/os-release', ''),
    wsl: /microsoft/i.test(readOr('/proc/version', '')),
    root,
    sudoWithoutPassword: !root && has('sudo') ? await sudoCheck() : false,
    has,
  });
}

/** Whether a system tool is present where the kit looks for it. */
export function systemToolPresent(root: string, spec: Pick<ToolSpec, 'id' | 'bin'>): boolean {
  if (spec.id === 'chromium') return findBrowser() !== undefined;
  return findTool(root, spec.bin) !== undefined;
}

/** The packages to install for the missing tools (one package may bring several tools). */
export function packagesFor(missing: readonly { system?: SystemPackages }[], manager: Manager): string[] {
  return [...new Set(missing.map((t) => t.system?.[manager]).filter((p): p is string => p !== undefined))];
}
