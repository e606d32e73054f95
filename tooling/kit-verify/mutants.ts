/**
 * Wrong solutions a lab's check must reject (kit invariant 2). A lab's `check/mutants.ts`
 * default-exports `defineMutants([...])`; kit verify applies each to the solved tree and
 * expects the check to FAIL. A mutant whose `find` text no longer occurs exactly once in the
 * solution is itself an error, so the list cannot silently rot.
 */
export interface Mutant {
  /** The plausible mistake, e.g. "a missing product answers 500". */
  readonly name: string;
  /** Repository-relative file to change (an owned file of the lab). */
  readonly file: string;
  /** Exact text in the solution file, occurring once. */
  readonly find: string;
  /** What the mistaken attendee wrote instead. */
  readonly replace: string;
}

export function defineMutants(mutants: Mutant[]): Mutant[] {
  return mutants;
}

/** Applies a mutant to a file's text, or says why it cannot. */
export function applyMutant(text: string, mutant: Mutant): { ok: true; text: string } | { ok: false; why: string } {
  const count = text.split(mutant.find).length - 1;
  if (count !== 1) return { ok: false, why: `mutant "${mutant.name}": its text occurs ${count} times in ${mutant.file} (must be once)` };
  return { ok: true, text: text.replace(mutant.find, () => mutant.replace) };
}
