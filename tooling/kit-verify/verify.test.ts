import { describe, expect, it } from 'vitest';
import type { Lab } from '../lab-engine/labs.ts';
import { manifestSchema } from '../lab-engine/manifest.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { overlappingOwnership, partDrift } from './verify.ts';

function lab(number: number, owns: { path: string; region?: string }[]): Lab {
  const id = String(number).padStart(2, '0');
  const manifest = manifestSchema.parse({ title: `Lab ${id}`, module: 'python', deck: 'slides/x.md', owns, steps: [{ kind: 'pytest', paths: ['x'] }], hints: ['h'] });
  return { number, id, slug: `${id}-lab`, dir: `/labs/${id}-lab`, manifest, todoMarker: `TODO(lab ${number})` };
}

describe('overlappingOwnership', () => {
  it('finds nothing when labs own different files or different regions of one file', () => {
    const labs = [lab(1, [{ path: 'a.py' }, { path: 'g.py', region: 'hello' }]), lab(2, [{ path: 'b.py' }, { path: 'g.py', region: 'bye' }])];
    expect(overlappingOwnership(labs)).toEqual([]);
  });

  it('names a whole file owned twice', () => {
    expect(overlappingOwnership([lab(1, [{ path: 'a.py' }]), lab(2, [{ path: 'a.py' }])])).toEqual(['a.py is owned by lab 01 and lab 02']);
  });

  it('names a file owned whole by one lab and in part by another', () => {
    expect(overlappingOwnership([lab(1, [{ path: 'g.py', region: 'hello' }]), lab(3, [{ path: 'g.py' }])])).toEqual(['g.py is owned by lab 01#hello and lab 03']);
  });

  it('names one region owned twice, and every pair when three labs collide', () => {
    expect(overlappingOwnership([lab(1, [{ path: 'g.py', region: 'hello' }]), lab(2, [{ path: 'g.py', region: 'hello' }])])).toEqual([
      'g.py is owned by lab 01#hello and lab 02#hello',
    ]);
    expect(overlappingOwnership([lab(1, [{ path: 'a.py' }]), lab(2, [{ path: 'a.py' }]), lab(3, [{ path: 'a.py' }])])).toHaveLength(3);
  });
});

describe('partDrift', () => {
  const reference = '# lab-region:mine begin\nsolved\n# lab-region:mine end\n# lab-region:later begin\nsolved later\n# lab-region:later end\n';

  function copyWith(files: Record<string, string>, snapshot: Record<string, string>) {
    const root = mkdtempSync(path.join(tmpdir(), 'part-drift-'));
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, file), text);
    return { root, snapshot: new Map(Object.entries(snapshot).map(([file, text]) => [file, Buffer.from(text)])) };
  }

  it('compares a region by its lines only: a later lab at its starter in the same file is no drift', () => {
    const copy = copyWith({ 'g.py': reference.replace('solved later', 'TODO(lab 2)') }, { 'g.py': reference });
    try {
      expect(partDrift(copy, [{ lab: lab(1, [{ path: 'g.py', region: 'mine' }]), part: { path: 'g.py', region: 'mine' } }])).toEqual([]);
    } finally {
      rmSync(copy.root, { recursive: true, force: true });
    }
  });

  it('names a region that differs, and a whole file that differs', () => {
    const copy = copyWith({ 'g.py': reference.replace('solved\n', 'wrong\n'), 'a.py': 'x = 2\n' }, { 'g.py': reference, 'a.py': 'x = 1\n' });
    const one = lab(1, [{ path: 'g.py', region: 'mine' }, { path: 'a.py' }]);
    try {
      expect(partDrift(copy, one.manifest.owns.map((part) => ({ lab: one, part })))).toEqual(['g.py#mine', 'a.py']);
    } finally {
      rmSync(copy.root, { recursive: true, force: true });
    }
  });
});
