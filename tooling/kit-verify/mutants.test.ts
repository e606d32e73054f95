import { describe, expect, it } from 'vitest';
import { applyMutant, type Mutant } from './mutants.ts';

const mutant = (find: string, replace: string): Mutant => ({ name: 'sums the wrong way', file: 'svc/demo.py', find, replace });

describe('applyMutant', () => {
  const solution = 'def add(a: int, b: int) -> int:\n    return a + b\n';

  it('replaces text that occurs exactly once', () => {
    expect(applyMutant(solution, mutant('return a + b', 'return a - b'))).toEqual({ ok: true, text: 'def add(a: int, b: int) -> int:\n    return a - b\n' });
  });

  it('inserts the replacement literally, `$&` and all', () => {
    expect(applyMutant(solution, mutant('a + b', '$& + $1'))).toEqual({ ok: true, text: 'def add(a: int, b: int) -> int:\n    return $& + $1\n' });
  });

  it('refuses text that no longer occurs, naming the mutant and the file', () => {
    expect(applyMutant(solution, mutant('return a * b', 'return 0'))).toEqual({
      ok: false,
      why: 'mutant "sums the wrong way": its text occurs 0 times in svc/demo.py (must be once)',
    });
  });

  it('refuses text that occurs twice', () => {
    const result = applyMutant(solution, mutant('int', 'float'));
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.why).toContain('occurs 3 times');
    expect(applyMutant(`${solution}${solution}`, mutant('return a + b', 'return 0'))).toMatchObject({ ok: false, why: expect.stringContaining('occurs 2 times') });
  });
});
