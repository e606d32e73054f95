import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BusyError } from './errors.ts';
import { acquireLock } from './lock.ts';
import { KIT_ROOT } from './testing/fixture.ts';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

describe('workspace lock', () => {
  it('is refused while another live process holds it, and taken over once that process is dead', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'lab-lock-'));
    roots.push(root);
    const lockUrl = pathToFileURL(path.join(KIT_ROOT, 'tooling/lab-engine/lock.ts')).href;
    const holder = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import { acquireLock } from ${JSON.stringify(lockUrl)}; acquireLock(${JSON.stringify(root)}, 'lab 01 check'); console.log('held'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve());
        holder.once('exit', (code) => reject(new Error(`holder exited (${String(code)})`)));
      });
      expect(() => acquireLock(root, 'lab 01 reset')).toThrow(BusyError);
      expect(() => acquireLock(root, 'lab 01 reset')).toThrow(`another lab command is running (lab 01 check ${String(holder.pid)})`);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => (holder.exitCode !== null || holder.signalCode !== null ? resolve(undefined) : holder.once('exit', resolve)));
    }

    // The dead holder's lock is still on disk; it is taken over.
    const file = path.join(root, '.labs', 'lock');
    expect(readFileSync(file, 'utf8')).toBe(`${String(holder.pid)}\nlab 01 check\n`);
    const lock = acquireLock(root, 'lab 01 reset');
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\nlab 01 reset\n`);
    lock.release();
    expect(existsSync(file)).toBe(false);
    lock.release();
  });

  it('a lock file that holds no pid (a holder killed while writing it) is taken over', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'lab-lock-'));
    roots.push(root);
    const file = path.join(root, '.labs', 'lock');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '');
    const lock = acquireLock(root, 'second');
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\nsecond\n`);
    lock.release();
  });
});
