import { describe, expect, it } from 'vitest';
import type { Lab } from '../lab-engine/labs.ts';
import { manifestSchema } from '../lab-engine/manifest.ts';
import { overlappingOwnership } from './verify.ts';

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
