/**
 * One lab command at a time per workspace: check, reset, solve and restore take
 * `.labs/lock` (holding the owner's pid). A lock whose owner is gone is taken over.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { BusyError } from './errors.ts';

export interface Lock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `name` picks the lock: `lock` guards the attendee's files, `verify.lock` kit verify's copy. */
export function acquireLock(root: string, what: string, name = 'lock'): Lock {
  const file = path.join(root, '.labs', name);
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n${what}\n`);
      closeSync(fd);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.off('exit', release);
        rmSync(file, { force: true });
      };
      // An interrupted command (Ctrl-C ends in process.exit) still gives the lock back.
      process.once('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pidText, holder] = safeRead(file).split('\n');
      const pid = Number(pidText);
      if (Number.isInteger(pid) && pid > 0 && alive(pid) && pid !== process.pid) {
        throw new BusyError(`another lab command is running (${holder || 'pid'} ${pid}) — wait for it to finish or stop it`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new BusyError(`could not take .labs/${name} — remove it if no lab command is running`);
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
