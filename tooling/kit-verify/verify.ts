/**
 * kit verify — the maintainers' self-test (spec "Invariants"). In an isolated copy, for each lab:
 * its starter differs from its solution and carries its TODO marker; with the track at its
 * starter, `reset --catch-up` then check FAILS on the lab's own step pointing at the TODO;
 * `solve` then check PASSES; every wrong solution in check/mutants.ts FAILS; a missing earlier
 * lab is reported as its own cause; after solving, the tree equals the reference byte for byte.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { atomicWrite } from '../lab-engine/atomic.ts';
import { acquireLock } from '../lab-engine/lock.ts';
import { type Lab, loadLabs, earlierLabs } from '../lab-engine/labs.ts';
import { partLabel, readCurrentPart, readVersion, splitRegion, versionFile } from '../lab-engine/owned.ts';
import type { OwnedPart } from '../lab-engine/manifest.ts';
import type { CheckReport, StepResult } from '../lab-engine/report/schema.ts';
import { runCheck } from '../lab-engine/runner.ts';
import { applyPlan, planVersion, type WritePlan } from '../lab-engine/workspace.ts';
import { driftFromSnapshot, makeCopy, type Copy } from './copy.ts';
import { applyMutant, type Mutant } from './mutants.ts';

export interface Finding {
  /** The invariant, e.g. "reset → check fails on the lab's step". */
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed, or a short fact when it passed. */
  readonly detail: string;
}

export interface LabVerdict {
  readonly lab: Lab;
  readonly findings: Finding[];
  readonly ms: number;
  /** Wall time per phase (reset, solve, each mutant, catch-up), for `KIT_VERIFY_TIMINGS=1`. */
  readonly phases: { readonly name: string; readonly ms: number }[];
}

/** Parts owned by two labs of the same file (whole file twice, or file and region, or one region twice). */
export function overlappingOwnership(labs: readonly Lab[]): string[] {
  const owners = new Map<string, { lab: string; region: string | undefined }[]>();
  for (const lab of labs) {
    for (const part of lab.manifest.owns) owners.set(part.path, [...(owners.get(part.path) ?? []), { lab: lab.id, region: part.region }]);
  }
  const problems: string[] = [];
  for (const [file, list] of owners) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i];
        const b = list[j];
        if (a && b && (a.region === undefined || b.region === undefined || a.region === b.region)) {
          problems.push(`${file} is owned by lab ${a.lab}${a.region ? `#${a.region}` : ''} and lab ${b.lab}${b.region ? `#${b.region}` : ''}`);
        }
      }
    }
  }
  return problems;
}

/** Every file under a folder, as paths relative to `root`, sorted. */
function filesUnder(root: string, dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * Files under the lab's `starter/` and `solution/` that no `owns` entry names (a whole file by
 * its path, a region as `<path>@<region>`): reset and solve never write them, so they rot
 * unseen (a renamed owned file, a region renamed in the manifest but not on disk).
 */
export function strayVersionFiles(root: string, lab: Lab): string[] {
  const named = new Set(lab.manifest.owns.flatMap((part) => (['starter', 'solution'] as const).map((version) => path.relative(root, versionFile(lab, part, version)))));
  return [...filesUnder(root, path.join(lab.dir, 'starter')), ...filesUnder(root, path.join(lab.dir, 'solution'))].filter((file) => !named.has(file));
}

export function strayFindings(root: string, lab: Lab): Finding[] {
  const strays = strayVersionFiles(root, lab);
  if (strays.length === 0) return [{ name: 'every starter/solution file is owned', ok: true, detail: `${lab.manifest.owns.length} part(s)` }];
  return strays.map((file) => ({
    name: `stray file: ${file}`,
    ok: false,
    detail: `no owns entry of lab ${lab.id} names it (a whole file by its path, a region as <path>@<region>): add the part to labs/${lab.slug}/lab.ts or delete the file`,
  }));
}

function staticFindings(root: string, lab: Lab): Finding[] {
  const same = lab.manifest.owns.filter((part) => readVersion(root, lab, part, 'starter').equals(readVersion(root, lab, part, 'solution')));
  const starterMarked = lab.manifest.owns.some((part) => readVersion(root, lab, part, 'starter').includes(lab.todoMarker));
  const solutionMarked = lab.manifest.owns.filter((part) => readVersion(root, lab, part, 'solution').includes(lab.todoMarker));
  return [
    { name: 'starter differs from solution', ok: same.length === 0, detail: same.length ? `identical: ${same.map(partLabel).join(', ')}` : `${lab.manifest.owns.length} part(s)` },
    { name: `starter carries ${lab.todoMarker}`, ok: starterMarked, detail: starterMarked ? 'yes' : 'no owned starter file has the marker' },
    { name: 'solution has no TODO marker', ok: solutionMarked.length === 0, detail: solutionMarked.map(partLabel).join(', ') || 'none' },
    ...strayFindings(root, lab),
  ];
}

function failedOwnStep(report: CheckReport, lab: Lab): Finding {
  const failed = report.steps.filter((s) => s.status === 'fail');
  const errored = report.steps.filter((s) => s.status === 'error');
  const pointsAtTodo = failed.some((s) => s.status === 'fail' && s.failures.some((f) => f.message.includes('TODO') || f.message.includes(lab.todoMarker)));
  const ok = report.result === 'fail' && errored.length === 0 && failed.length > 0 && pointsAtTodo && report.earlierLabs.length === 0;
  const detail = ok
    ? `failed: ${failed.map((s) => s.step).join(', ')}`
    : report.result === 'pass'
      ? 'the starter PASSED its check'
      : errored.length
        ? `steps could not run: ${errored.map((s) => (s.status === 'error' ? `${s.step} (${s.why.split('\n')[0] ?? ''})` : s.step)).join(', ')}`
        : !pointsAtTodo
          ? `no failure message mentions the TODO (failed: ${failed.map((s) => s.step).join(', ')})`
          : `blamed earlier labs: ${report.earlierLabs.map((e) => e.lab).join(', ')}`;
  return { name: 'reset → check fails, pointing at the TODO', ok, detail };
}

/** Steps that test behaviour; a wrong solution must fail one of these, not only a linter. */
const BEHAVIOUR_KINDS = new Set(['pytest', 'go-test', 'probe', 'vitest', 'promtool']);

function failsOnBehaviour(report: CheckReport): boolean {
  return report.steps.some((s) => s.status === 'fail' && BEHAVIOUR_KINDS.has(s.kind));
}

/**
 * Fail-fast for a wrong solution: only behavioural steps can catch it (linters cannot make the
 * finding pass), so run only those and stop at the first that fails (and a test step at its first
 * failing test: pytest -x, go test -failfast). The full check runs again
 * only when nothing caught the mutant, to say what did fail.
 */
const MUTANT_RUN = {
  only: (step: { kind: string }) => BEHAVIOUR_KINDS.has(step.kind),
  stopWhen: (result: StepResult) => result.status === 'fail' && BEHAVIOUR_KINDS.has(result.kind),
  failFast: true,
} as const;

/** Fail-fast for the catch-up finding: any step not passing decides `result: fail`. */
const FIRST_FAILURE = { stopWhen: (result: StepResult) => result.status !== 'pass' } as const;

function describeFailures(report: CheckReport, only?: ReadonlySet<string>): string {
  return report.steps
    .filter((s) => s.status !== 'pass' && (!only || only.has(s.kind)))
    .map((s) => (s.status === 'fail' ? `${s.step}: ${s.failures[0]?.test ?? ''} ${s.failures[0]?.message.split('\n')[0] ?? ''}` : `${s.step}: ${s.status === 'error' ? s.why.split('\n')[0] : ''}`))
    .join('; ');
}

async function loadMutants(lab: Lab): Promise<Mutant[]> {
  const file = path.join(lab.dir, 'check', 'mutants.ts');
  if (!existsSync(file)) return [];
  const module = (await import(pathToFileURL(file).href)) as { default?: Mutant[] };
  return module.default ?? [];
}

/** Puts every lab of `lab`'s track at its starter, except lab N and those before it (solution). */
function arrange(copy: Copy, labs: readonly Lab[], lab: Lab, solvedUpTo: 'before' | 'including'): void {
  const plan: WritePlan = new Map();
  for (const other of labs.filter((l) => l.manifest.module === lab.manifest.module)) {
    const solved = other.number < lab.number || (other.number === lab.number && solvedUpTo === 'including');
    planVersion(copy.root, other, solved ? 'solution' : 'starter', plan);
  }
  applyPlan(copy.root, lab.id, 'verify', plan);
}

export async function verifyLab(copy: Copy, labs: readonly Lab[], lab: Lab): Promise<LabVerdict> {
  const started = performance.now();
  const phases: { name: string; ms: number }[] = [];
  let mark = performance.now();
  const phase = (name: string): void => {
    const now = performance.now();
    phases.push({ name, ms: now - mark });
    mark = now;
  };
  const findings = staticFindings(copy.root, lab);

  arrange(copy, labs, lab, 'before');
  findings.push(failedOwnStep(await runCheck(copy.root, labs, lab), lab));
  phase('reset+check');

  arrange(copy, labs, lab, 'including');
  const solved = await runCheck(copy.root, labs, lab);
  phase('solve+check');
  findings.push({ name: 'solve → check passes', ok: solved.result === 'pass', detail: solved.result === 'pass' ? `${(solved.ms / 1000).toFixed(1)} s` : describeFailures(solved) });

  for (const mutant of await loadMutants(lab)) {
    const file = path.join(copy.root, mutant.file);
    const original = readFileSync(file, 'utf8');
    const applied = applyMutant(original, mutant);
    if (!applied.ok) {
      findings.push({ name: `wrong solution fails: ${mutant.name}`, ok: false, detail: applied.why });
      continue;
    }
    atomicWrite(file, applied.text);
    const fast = await runCheck(copy.root, labs, lab, MUTANT_RUN);
    const caught = failsOnBehaviour(fast);
    const report = caught ? fast : await runCheck(copy.root, labs, lab);
    const detail = caught
      ? describeFailures(report, BEHAVIOUR_KINDS).slice(0, 110)
      : report.result === 'pass'
        ? 'the check PASSED a wrong solution'
        : `only non-behavioural steps failed (${describeFailures(report).slice(0, 90)})`;
    findings.push({ name: `wrong solution fails: ${mutant.name}`, ok: caught, detail });
    // A mutant may change a line outside the lab's regions (e.g. a v1 field of a shared proto):
    // put the whole file back, not only the owned parts.
    atomicWrite(file, original);
    arrange(copy, labs, lab, 'including');
    phase(`mutant ${mutant.name.slice(0, 40)}`);
  }

  const before = earlierLabs(labs, lab);
  const firstEarlier = before[0];
  if (firstEarlier) {
    const plan = planVersion(copy.root, firstEarlier, 'starter');
    applyPlan(copy.root, lab.id, 'verify', plan);
    const report = await runCheck(copy.root, labs, lab, FIRST_FAILURE);
    const named = report.earlierLabs.some((e) => e.lab === firstEarlier.number);
    findings.push({ name: `an unfinished lab ${firstEarlier.number} is named as the cause`, ok: report.result === 'fail' ? named : true, detail: named ? 'named' : report.result === 'pass' ? 'check passed without it (independent part)' : 'not named' });
    arrange(copy, labs, lab, 'including');
    phase('catch-up');
  }

  const owned = labs.filter((l) => l.manifest.module === lab.manifest.module && l.number <= lab.number).flatMap((l) => l.manifest.owns.map((part) => ({ lab: l, part })));
  const drift = partDrift(copy, owned);
  findings.push({ name: 'solved files equal the reference', ok: drift.length === 0, detail: drift.join(', ') || 'byte for byte' });
  return { lab, findings, ms: performance.now() - started, phases };
}

/**
 * Owned parts that differ from the reference: a whole file byte for byte, a region by its
 * lines only (a later lab's starter may live in the same file, outside the region).
 */
export function partDrift(copy: Copy, parts: readonly { lab: Lab; part: OwnedPart }[]): string[] {
  const drift = new Set<string>();
  for (const { lab, part } of parts) {
    const before = copy.snapshot.get(part.path);
    if (!before) continue;
    if (!part.region) {
      for (const file of driftFromSnapshot(copy, [part.path])) drift.add(file);
      continue;
    }
    try {
      const reference = splitRegion(before.toString('utf8'), part.region, part.path, lab).inner;
      if (readCurrentPart(copy.root, lab, part) !== reference) drift.add(partLabel(part));
    } catch {
      drift.add(partLabel(part));
    }
  }
  return [...drift];
}

export interface VerifyRun {
  readonly verdicts: LabVerdict[];
  /** Problems that belong to no single lab: overlapping ownership, drift after solving all. */
  readonly global: Finding[];
}

export async function verify(root: string, selected: readonly number[], onLab?: (v: LabVerdict) => void): Promise<VerifyRun> {
  // Two runs would share (and trample) the one copy folder.
  const lock = acquireLock(root, 'kit verify', 'verify.lock');
  try {
    return await verifyInCopy(root, selected, onLab);
  } finally {
    lock.release();
  }
}

/**
 * Labs of one track build on each other, so they run in order in one copy; tracks own disjoint
 * files but one track's check may start another track's service (lab 15), so each track gets
 * its own copy and the tracks run side by side, `KIT_VERIFY_JOBS` at once (default 3: every track; 1 = one
 * after the other).
 */
function jobCount(): number {
  const fromEnv = Number(process.env['KIT_VERIFY_JOBS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 3;
}

interface TrackRun {
  readonly verdicts: LabVerdict[];
  readonly drift: string[];
}

async function verifyTrack(root: string, track: string, numbers: ReadonlySet<number>, onLab?: (v: LabVerdict) => void): Promise<TrackRun> {
  const copy = makeCopy(root, `work-${track}`);
  const labs = await loadLabs(copy.root);
  const verdicts: LabVerdict[] = [];
  for (const lab of labs.filter((l) => l.manifest.module === track && numbers.has(l.number))) {
    const verdict = await verifyLab(copy, labs, lab);
    verdicts.push(verdict);
    onLab?.(verdict);
  }
  const plan: WritePlan = new Map();
  for (const lab of labs) planVersion(copy.root, lab, 'solution', plan);
  applyPlan(copy.root, 'all', 'verify', plan);
  return { verdicts, drift: driftFromSnapshot(copy) };
}

async function verifyInCopy(root: string, selected: readonly number[], onLab?: (v: LabVerdict) => void): Promise<VerifyRun> {
  const labs = await loadLabs(root);
  const chosen = selected.length ? labs.filter((l) => selected.includes(l.number)) : labs;
  const overlaps = overlappingOwnership(labs);
  const global: Finding[] = [{ name: 'labs own disjoint parts', ok: overlaps.length === 0, detail: overlaps.join('; ') || `${labs.length} lab(s)` }];
  const tracks = [...new Set(chosen.map((l) => l.manifest.module))];
  const numbers = new Set(chosen.map((l) => l.number));
  const runs: TrackRun[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tracks.length) {
      const track = tracks[next++];
      if (track) runs.push(await verifyTrack(root, track, numbers, onLab));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobCount(), tracks.length)) }, () => worker()));
  const verdicts = runs.flatMap((r) => r.verdicts).sort((a, b) => a.lab.number - b.lab.number);
  const drift = [...new Set(runs.flatMap((r) => r.drift))];
  global.push({ name: 'every lab solved: the tree equals the reference', ok: drift.length === 0, detail: drift.join(', ') || 'byte for byte' });
  return { verdicts, global };
}
