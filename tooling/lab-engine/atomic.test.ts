import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { atomicWrite, removeStaleTemps } from './atomic.ts';
import { listBackups } from './backups.ts';
import { DEMO, greetFile, LAB_CLI, KIT_ROOT, cliEnv, makeFixture, runLab, type Fixture } from './testing/fixture.ts';

const cleanup: (() => void)[] = [];
afterAll(() => cleanup.forEach((fn) => fn()));

/** Two large contents that differ everywhere (and in length), so a torn file matches neither. */
function bigContents(megabytes: number, tag: string): Buffer {
  const line = `# ${tag}: ${'x'.repeat(60)}\n`;
  return Buffer.from(line.repeat(Math.ceil((megabytes * 1024 * 1024) / line.length)), 'utf8');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function tempsIn(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('.lab-tmp-'));
}

describe('atomic writes under a killed process', () => {
  it('every file is one of the two contents after SIGKILL mid-loop, and stale temps are removed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-atomic-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const a = bigContents(3, 'version A');
    const b = bigContents(2.5, 'version B');
    writeFileSync(path.join(dir, 'a.bin'), a);
    writeFileSync(path.join(dir, 'b.bin'), b);
    const targets = ['one.txt', 'two.txt', 'three.txt'].map((name) => path.join(dir, 'work', name));
    for (const file of targets) atomicWrite(file, a);
    const writer = path.join(dir, 'writer.mjs');
    writeFileSync(
      writer,
      `import { readFileSync } from 'node:fs';
import { atomicWrite } from ${JSON.stringify(pathToFileURL(path.join(KIT_ROOT, 'tooling/lab-engine/atomic.ts')).href)};
const [a, b] = [readFileSync(${JSON.stringify(path.join(dir, 'a.bin'))}), readFileSync(${JSON.stringify(path.join(dir, 'b.bin'))})];
const targets = ${JSON.stringify(targets)};
for (let round = 1; ; round++) {
  for (const file of targets) atomicWrite(file, round % 2 ? b : a);
  if (round === 1) process.stdout.write('ready\\n');
}
`,
    );

    const tempsLeft = new Set<string>();
    for (let kill = 0; kill < 5; kill++) {
      const child = spawn(process.execPath, [writer], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout?.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`writer exited early (${String(code)})`)));
      });
      await sleep(Math.random() * 120);
      child.kill('SIGKILL');
      await exited(child);
      for (const file of targets) {
        const bytes = readFileSync(file);
        expect(bytes.equals(a) || bytes.equals(b), `${path.basename(file)} after kill ${kill + 1} is neither content (${bytes.length} bytes)`).toBe(true);
      }
      for (const name of tempsIn(path.join(dir, 'work'))) tempsLeft.add(name);
    }

    // A temp the killed writer left (planted too, so removal is proven even if no kill left one).
    writeFileSync(path.join(dir, 'work', '.one.txt.lab-tmp-99999-abcdef'), 'half a file');
    const removed = removeStaleTemps(targets);
    expect(removed.length).toBe(tempsLeft.size + 1);
    expect(tempsIn(path.join(dir, 'work'))).toEqual([]);
    expect(readdirSync(path.join(dir, 'work')).sort()).toEqual(['one.txt', 'three.txt', 'two.txt']);
  });

  it('removeStaleTemps leaves files that merely look alike alone', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-atomic-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'keep.lab-tmp-notes.txt'), 'not hidden: not ours');
    writeFileSync(path.join(dir, '.hidden'), 'a dot file');
    expect(removeStaleTemps([path.join(dir, 'keep.txt')])).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['.hidden', 'keep.lab-tmp-notes.txt']);
  });
});

describe('`lab 1 reset` killed mid-way', () => {
  it('leaves each owned file with its old bytes or its new bytes, and the next reset completes', async () => {
    const f: Fixture = makeFixture({ venv: false });
    cleanup.push(() => f.dispose());
    const starter = Buffer.concat([Buffer.from(DEMO.starter), bigContents(6, 'starter padding')]);
    const mine = bigContents(5, 'my work in progress');
    f.write('labs/01-demo/starter/svc/demo.py', starter);
    const oldGreet = f.read('svc/greet.py');
    const newGreet = Buffer.from(greetFile(DEMO.helloStarter, DEMO.byeSolution));

    let interrupted = 0;
    for (let round = 0; round < 6; round++) {
      rmSync(path.join(f.root, '.labs'), { recursive: true, force: true });
      f.write('svc/demo.py', mine);
      f.write('svc/greet.py', oldGreet);
      const child = spawn(process.execPath, [LAB_CLI, '1', 'reset'], { cwd: KIT_ROOT, env: cliEnv(f.root), stdio: 'ignore' });
      await sleep(90 + Math.random() * 160);
      child.kill('SIGKILL');
      await exited(child);
      if (child.signalCode === 'SIGKILL') interrupted++;
      const demo = f.read('svc/demo.py');
      const greet = f.read('svc/greet.py');
      expect(demo.equals(mine) || demo.equals(starter), `svc/demo.py is torn after round ${round + 1}`).toBe(true);
      expect(greet.equals(oldGreet) || greet.equals(newGreet), `svc/greet.py is torn after round ${round + 1}`).toBe(true);
      if (demo.equals(starter) || greet.equals(newGreet)) {
        // Backed up first: once anything new is on disk, a complete backup holds the old bytes.
        const [backup] = listBackups(f.root, '01');
        expect(backup, `new bytes without a backup after round ${round + 1}`).toBeDefined();
        expect(f.read(`.labs/backups/${backup?.id ?? ''}/files/svc/demo.py`).equals(mine)).toBe(true);
      }
    }
    expect(interrupted).toBeGreaterThan(0);

    f.write('svc/demo.py', mine);
    const after = await runLab(f.root, ['1', 'reset']);
    expect(after.code).toBe(0);
    expect(f.read('svc/demo.py').equals(starter)).toBe(true);
    expect(tempsIn(path.join(f.root, 'svc'))).toEqual([]);
    // Every listed backup is complete and every folder is a listed backup (interrupted ones were cleared).
    expect(f.backupFolders()).toEqual(listBackups(f.root).map((b) => b.id).sort());
  });
});
