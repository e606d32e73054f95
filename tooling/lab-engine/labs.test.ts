import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError, UsageError } from './errors.ts';
import { findLab, loadLabs, type Lab } from './labs.ts';
import { hasStackTrace, LAB_01_MANIFEST, linesOf, makeFixture, manifestSource, runLab, type Fixture } from './testing/fixture.ts';

interface BrokenCase {
  /** The behaviour, as the test name says it. */
  readonly name: string;
  /** Breaks a fresh fixture. */
  readonly breakIt: (f: Fixture) => void;
  /** ManifestError.file and .field, and a piece of the problem. */
  readonly file: string;
  readonly field: string;
  readonly problem: RegExp;
}

const withLab01 = (change: (m: Record<string, unknown>) => void) => (f: Fixture): void => {
  const manifest = structuredClone(LAB_01_MANIFEST) as Record<string, unknown>;
  change(manifest);
  f.write('labs/01-demo/lab.ts', manifestSource(manifest));
};

const broken: BrokenCase[] = [
  {
    name: 'a lab folder without lab.ts',
    breakIt: (f) => f.remove('labs/01-demo/lab.ts'),
    file: 'labs/01-demo/lab.ts',
    field: '',
    problem: /missing: every lab folder needs a lab\.ts manifest/,
  },
  {
    name: 'a lab.ts that throws when imported',
    breakIt: (f) => f.write('labs/01-demo/lab.ts', "throw new Error('manifest exploded');\nexport default {};\n"),
    file: 'labs/01-demo/lab.ts',
    field: '',
    problem: /cannot be loaded: .*manifest exploded/,
  },
  {
    name: 'a lab.ts with a syntax error',
    breakIt: (f) => f.write('labs/01-demo/lab.ts', "export default { title: 'Demo lab', owns: [\n"),
    file: 'labs/01-demo/lab.ts',
    field: '',
    problem: /cannot be loaded: /,
  },
  {
    name: 'a manifest without a title',
    breakIt: withLab01((m) => delete m['title']),
    file: 'labs/01-demo/lab.ts',
    field: 'title',
    problem: /expected string/,
  },
  {
    name: 'a step of an unknown kind',
    breakIt: withLab01((m) => (m['steps'] = [{ kind: 'flake8', paths: ['svc/demo.py'] }])),
    file: 'labs/01-demo/lab.ts',
    field: 'steps[0].kind',
    problem: /./,
  },
  {
    name: 'an owned path that climbs out with ".."',
    breakIt: withLab01((m) => (m['owns'] = [{ path: 'svc/../../outside.py' }])),
    file: 'labs/01-demo/lab.ts',
    field: 'owns[0].path',
    problem: /without "\.\."/,
  },
  {
    name: 'a probe step whose module does not exist',
    breakIt: withLab01((m) => (m['steps'] = [{ kind: 'pytest', paths: ['x'] }, { kind: 'probe', service: 'python-catalog', module: 'check/probe.ts' }])),
    file: 'labs/01-demo/lab.ts',
    field: 'steps[1].module',
    problem: /no file check\/probe\.ts in labs\/01-demo/,
  },
  {
    name: 'two labs with the same number',
    breakIt: (f) => {
      f.write('labs/01-other/lab.ts', manifestSource({ ...LAB_01_MANIFEST, title: 'Other lab' }));
    },
    file: 'labs/01-other',
    field: '',
    problem: /lab number 01 is also used by labs\/01-demo/,
  },
];

describe.concurrent('a broken manifest is one ManifestError naming the file and the field', () => {
  const fixtures: Fixture[] = [];
  afterAll(() => fixtures.forEach((f) => f.dispose()));

  for (const c of broken) {
    it(`${c.name}: loadLabs throws a ManifestError; the CLI says one line and exits 2`, async () => {
      const f = makeFixture({ venv: false });
      fixtures.push(f);
      c.breakIt(f);

      const error: unknown = await loadLabs(f.root).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ManifestError);
      const manifestError = error as ManifestError;
      expect(manifestError.file).toBe(c.file);
      expect(manifestError.field).toBe(c.field);
      expect(manifestError.message.startsWith(`${c.file}: ${c.field ? `${c.field}: ` : ''}`)).toBe(true);
      expect(manifestError.message).toMatch(c.problem);

      const cli = await runLab(f.root, ['1', 'check']);
      expect(cli.code).toBe(2);
      expect(linesOf(cli.stderr)).toHaveLength(1);
      expect(cli.stderr).toContain(`lab: ${c.file}: ${c.field ? `${c.field}: ` : ''}`);
      expect(cli.stderr).toMatch(c.problem);
      expect(hasStackTrace(cli.stderr)).toBe(false);
      expect(cli.stdout).toBe('');
    });
  }
});

describe('findLab', () => {
  let fixture: Fixture;
  let labs: Lab[];
  beforeAll(async () => {
    fixture = makeFixture({ venv: false });
    labs = await loadLabs(fixture.root);
  });
  afterAll(() => fixture.dispose());

  it('loads every lab folder in number order with its id, slug and TODO marker', () => {
    expect(labs.map((l) => [l.number, l.id, l.slug, l.todoMarker])).toEqual([
      [1, '01', '01-demo', 'TODO(lab 1)'],
      [2, '02', '02-second', 'TODO(lab 2)'],
    ]);
  });

  for (const arg of ['1', '01', '01-demo', 'demo', ' Demo ']) {
    it(`resolves "${arg}" to lab 01`, () => {
      expect(findLab(labs, arg).slug).toBe('01-demo');
    });
  }

  for (const arg of ['99', 'x', '', '01-second']) {
    it(`rejects "${arg}" with a UsageError that points at \`pnpm lab list\``, () => {
      expect(() => findLab(labs, arg)).toThrow(UsageError);
      expect(() => findLab(labs, arg)).toThrow(/unknown lab ".*" — `pnpm lab list` shows the labs/);
    });
  }
});
