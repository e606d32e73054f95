import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupsDir, findBackup, listBackups } from './backups.ts';
import { UsageError } from './errors.ts';
import { findLab, loadLabs, type Lab } from './labs.ts';
import { unfinishedEarlierLabs } from './prerequisites.ts';
import { workspaceState } from './state.ts';
import { DEMO, greetFile, makeFixture, type Fixture } from './testing/fixture.ts';
import { applyPlan, planRestore, planVersion, type WritePlan } from './workspace.ts';

const fixtures: Fixture[] = [];
afterAll(() => fixtures.forEach((f) => f.dispose()));

async function fresh(): Promise<{ f: Fixture; labs: Lab[]; lab1: Lab; lab2: Lab }> {
  const f = makeFixture({ venv: false });
  fixtures.push(f);
  const labs = await loadLabs(f.root);
  return { f, labs, lab1: findLab(labs, '1'), lab2: findLab(labs, '2') };
}

const OWNED_1 = ['svc/demo.py', 'svc/greet.py'];
const snapshot = (f: Fixture, files: readonly string[]): Map<string, Buffer | undefined> =>
  new Map(files.map((file) => [file, f.exists(file) ? f.read(file) : undefined]));

/** Backup ids carry the time to the millisecond: keep two commands apart. */
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe.concurrent('reset, solve and restore', () => {
  it('reset backs up the current bytes first, then writes the starter', async () => {
    const { f, lab1 } = await fresh();
    const before = snapshot(f, OWNED_1);
    const applied = applyPlan(f.root, lab1.id, 'reset', planVersion(f.root, lab1, 'starter'));

    expect(applied.changed.sort()).toEqual(OWNED_1);
    expect(f.text('svc/demo.py')).toBe(DEMO.starter);
    expect(f.text('svc/greet.py')).toBe(greetFile(DEMO.helloStarter, DEMO.byeSolution));
    expect(workspaceState(f.root, lab1)).toBe('starter');

    const backup = applied.backup;
    if (!backup) throw new Error('reset made no backup');
    expect(backup.lab).toBe('01');
    expect(backup.verb).toBe('reset');
    for (const file of OWNED_1) {
      expect(f.read(path.join('.labs/backups', backup.id, 'files', file)).equals(before.get(file) ?? Buffer.alloc(1))).toBe(true);
    }
  });

  it('solve writes the solution', async () => {
    const { f, lab1 } = await fresh();
    applyPlan(f.root, lab1.id, 'reset', planVersion(f.root, lab1, 'starter'));
    const applied = applyPlan(f.root, lab1.id, 'solve', planVersion(f.root, lab1, 'solution'));
    expect(applied.backup?.verb).toBe('solve');
    expect(f.text('svc/demo.py')).toBe(DEMO.solution);
    expect(f.text('svc/greet.py')).toBe(greetFile(DEMO.helloSolution, DEMO.byeSolution));
    expect(workspaceState(f.root, lab1)).toBe('solution');
  });

  it('restore brings back exactly the bytes reset replaced, a non-UTF-8 file included', async () => {
    const { f, lab1 } = await fresh();
    const latin1 = Buffer.from([0x23, 0x20, 0xe9, 0x74, 0xe9, 0x0a, 0xff, 0xfe, 0x00, 0x0a]);
    f.write('svc/demo.py', latin1);
    const greet = `${f.text('svc/greet.py')}# my own note\r\n`;
    f.write('svc/greet.py', greet);
    const before = snapshot(f, OWNED_1);

    const reset = applyPlan(f.root, lab1.id, 'reset', planVersion(f.root, lab1, 'starter'));
    if (!reset.backup) throw new Error('reset made no backup');
    expect(f.text('svc/demo.py')).toBe(DEMO.starter);

    await tick();
    const restored = applyPlan(f.root, lab1.id, 'restore', planRestore(f.root, findBackup(f.root, reset.backup.id)));
    expect(restored.changed.sort()).toEqual(OWNED_1);
    expect(snapshot(f, OWNED_1)).toEqual(before);
    expect(f.read('svc/demo.py').equals(latin1)).toBe(true);
  });

  it('restore removes again a file that did not exist before the reset', async () => {
    const { f, lab1 } = await fresh();
    f.remove('svc/demo.py');
    const reset = applyPlan(f.root, lab1.id, 'reset', planVersion(f.root, lab1, 'starter'));
    if (!reset.backup) throw new Error('reset made no backup');
    expect(reset.backup.entries.find((e) => e.path === 'svc/demo.py')).toEqual({ path: 'svc/demo.py', existed: false });
    expect(f.text('svc/demo.py')).toBe(DEMO.starter);

    await tick();
    applyPlan(f.root, lab1.id, 'restore', planRestore(f.root, findBackup(f.root, reset.backup.id.slice(0, 19))));
    expect(f.exists('svc/demo.py')).toBe(false);
    expect(f.text('svc/greet.py')).toBe(greetFile(DEMO.helloSolution, DEMO.byeSolution));
  });

  it('a region-owned file only changes between its markers', async () => {
    const { f, lab1 } = await fresh();
    const mine = `# my header line\n${greetFile('def hello(name: str) -> str:\n    return "hi " + name\n', 'def bye(name: str) -> str:\n    return "ciao"\n')}# my footer\n`;
    f.write('svc/greet.py', mine);
    applyPlan(f.root, lab1.id, 'reset', planVersion(f.root, lab1, 'starter'));
    expect(f.text('svc/greet.py')).toBe(mine.replace('def hello(name: str) -> str:\n    return "hi " + name\n', DEMO.helloStarter));
  });

  for (const [name, damage] of [
    ['its end marker is missing', (text: string) => text.replace('# lab-region:hello end\n', '')],
    ['its begin marker is doubled', (text: string) => `# lab-region:hello begin\n${text}`],
    ['its end marker comes before its begin marker', (text: string) => text.replace('# lab-region:hello begin', '# lab-region:hello END').replace('# lab-region:hello end', '# lab-region:hello begin').replace('# lab-region:hello END', '# lab-region:hello end')],
  ] as const) {
    it(`a region whose ${name} is a UsageError naming the file, and nothing is written`, async () => {
      const { f, lab1 } = await fresh();
      f.write('svc/demo.py', 'def add(a: int, b: int) -> int:\n    return a - b  # my attempt\n');
      f.write('svc/greet.py', damage(f.text('svc/greet.py')));
      const before = snapshot(f, OWNED_1);
      let error: unknown;
      try {
        applyPlan(f.root, lab1.id, 'reset', planVersion(f.root, lab1, 'starter'));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(/^svc\/greet\.py \(owned by lab 01\): .*lab-region:hello/);
      expect(snapshot(f, OWNED_1)).toEqual(before);
      expect(f.backupFolders()).toEqual([]);
    });
  }

  it('a reset that changes nothing makes no backup', async () => {
    const { f, lab1 } = await fresh();
    expect(applyPlan(f.root, lab1.id, 'reset', planVersion(f.root, lab1, 'starter')).backup).toBeDefined();
    await tick();
    const again = applyPlan(f.root, lab1.id, 'reset', planVersion(f.root, lab1, 'starter'));
    expect(again).toEqual({ backup: undefined, changed: [] });
    expect(f.backupFolders()).toHaveLength(1);
  });

  it('backups are listed newest first, per lab', async () => {
    const { f, lab1, lab2 } = await fresh();
    const ids: string[] = [];
    for (const [lab, version, verb] of [
      [lab1, 'starter', 'reset'],
      [lab2, 'starter', 'reset'],
      [lab1, 'solution', 'solve'],
      [lab1, 'starter', 'reset'],
    ] as const) {
      ids.push(applyPlan(f.root, lab.id, verb, planVersion(f.root, lab, version)).backup?.id ?? '');
      await tick();
    }
    expect(listBackups(f.root).map((b) => b.id)).toEqual([...ids].reverse());
    expect(listBackups(f.root, '01').map((b) => b.id)).toEqual([ids[3], ids[2], ids[0]]);
  });

  it('a damaged backup is refused and nothing is written', async () => {
    const { f, lab1 } = await fresh();
    const reset = applyPlan(f.root, lab1.id, 'reset', planVersion(f.root, lab1, 'starter'));
    if (!reset.backup) throw new Error('reset made no backup');
    const saved = path.join('.labs/backups', reset.backup.id, 'files', 'svc/demo.py');
    const bytes = f.read(saved);
    bytes[0] = (bytes[0] ?? 0) ^ 0x20;
    f.write(saved, bytes);
    const before = snapshot(f, OWNED_1);

    const backup = findBackup(f.root, reset.backup.id);
    expect(() => planRestore(f.root, backup)).toThrow(UsageError);
    expect(() => planRestore(f.root, backup)).toThrow(/is damaged \(svc\/demo\.py does not match its checksum\) — nothing was restored/);
    expect(snapshot(f, OWNED_1)).toEqual(before);
    expect(f.backupFolders()).toEqual([reset.backup.id]);
  });

  it('an interrupted backup (no backup.json) is never listed nor found, and the next write clears it', async () => {
    const { f, lab1 } = await fresh();
    const partial = path.join(backupsDir(f.root), '20990101T000000000Z-lab01-reset');
    mkdirSync(path.join(partial, 'files', 'svc'), { recursive: true });
    writeFileSync(path.join(partial, 'files', 'svc', 'demo.py'), 'half');
    expect(listBackups(f.root)).toEqual([]);
    expect(() => findBackup(f.root, '20990101T000000000Z-lab01-reset')).toThrow(UsageError);
    expect(() => findBackup(f.root, '2099')).toThrow(/no backup "2099"/);

    const applied = applyPlan(f.root, lab1.id, 'reset', planVersion(f.root, lab1, 'starter'));
    expect(f.backupFolders()).toEqual([applied.backup?.id]);
  });
});

describe.concurrent('earlier labs of the track', () => {
  it('with lab 01 at its starter, lab 02 names lab 01 as unfinished (its TODO marker)', async () => {
    const { f, labs, lab1, lab2 } = await fresh();
    expect(unfinishedEarlierLabs(f.root, labs, lab2)).toEqual([]);
    applyPlan(f.root, lab1.id, 'reset', planVersion(f.root, lab1, 'starter'));
    const unfinished = unfinishedEarlierLabs(f.root, labs, lab2);
    expect(unfinished.map((u) => [u.lab.id, u.file, u.why])).toEqual([['01', 'svc/demo.py', 'todo']]);
    expect(unfinishedEarlierLabs(f.root, labs, lab1)).toEqual([]);
  });

  it("a TODO(lab 1) outside lab 01's region (a message naming it) does not make lab 01 unfinished", async () => {
    const { f, labs, lab2 } = await fresh();
    f.write('svc/greet.py', `${greetFile(DEMO.helloSolution, DEMO.byeSolution)}# failing? see TODO(lab 1) in hello\n`);
    f.write('svc/demo.py', DEMO.solution);
    expect(unfinishedEarlierLabs(f.root, labs, lab2)).toEqual([]);
  });

  it('a missing owned file of lab 01 makes it unfinished too', async () => {
    const { f, labs, lab2 } = await fresh();
    f.remove('svc/demo.py');
    expect(unfinishedEarlierLabs(f.root, labs, lab2).map((u) => [u.lab.id, u.why])).toEqual([['01', 'missing']]);
  });

  it("a plan of lab 01's solution then lab 02's starter writes both regions of one file", async () => {
    const { f, lab1, lab2 } = await fresh();
    const track: WritePlan = new Map();
    planVersion(f.root, lab1, 'starter', track);
    planVersion(f.root, lab2, 'starter', track);
    applyPlan(f.root, 'all', 'reset', track);
    const plan = planVersion(f.root, lab1, 'solution');
    planVersion(f.root, lab2, 'starter', plan);
    const applied = applyPlan(f.root, lab2.id, 'catch-up', plan);
    expect(applied.changed.sort()).toEqual(['svc/demo.py', 'svc/greet.py']);
    expect(f.text('svc/greet.py')).toBe(greetFile(DEMO.helloSolution, DEMO.byeStarter));
  });
});
