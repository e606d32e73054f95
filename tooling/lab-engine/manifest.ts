/**
 * The lab manifest: one `labs/NN-slug/lab.ts` per lab, default-exporting `defineLab({...})`.
 *
 * The schema documents itself: every field carries the sentence a lab author needs. It is
 * validated when loaded, and a broken manifest becomes one line naming the file and the field.
 */
import { z } from 'zod';

const repoPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), {
    message: 'must be a path relative to the repository root, without ".."',
  });

/** A part of the reference services that a lab owns: a whole file, or one marked region of it. */
const ownedPart = z
  .object({
    /** Repository-relative path of the owned file. */
    path: repoPath,
    /**
     * Name of a marked region inside the file (between the lines holding
     * `lab-region:<name> begin` and `lab-region:<name> end`); absent when the lab owns the whole file.
     */
    region: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes')
      .optional(),
  })
  .strict();

const common = {
  /** The label shown for the step; defaults to the kind. */
  name: z.string().min(1).optional(),
  /** What to try when this step fails; shown under the failure. */
  hint: z.string().min(1).optional(),
  /** Seconds before the step is stopped and reported as failed. */
  timeoutSeconds: z.number().int().positive().max(900).optional(),
};
const paths = z.array(repoPath).min(1);
/** A Go step runs inside one module: `dir` holds its go.mod. */
const goCommon = { ...common, dir: repoPath, packages: z.array(z.string().min(1)).min(1).default(['./...']) };

/** One step of a lab's check. Steps run in order of declaration, reported one line each. */
export const stepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ruff-check'), paths, ...common }).strict(),
  z.object({ kind: z.literal('ruff-format'), paths, ...common }).strict(),
  z.object({ kind: z.literal('mypy'), paths, ...common }).strict(),
  z.object({ kind: z.literal('pytest'), paths, ...common }).strict(),
  /**
   * Architecture rules: `lint-imports` on the import-linter contracts in pyproject.toml, one
   * failure per broken contract. `contracts` names the contract ids to check (default: all).
   */
  z.object({ kind: z.literal('import-linter'), contracts: z.array(z.string().min(1)).min(1).optional(), ...common }).strict(),
  z.object({ kind: z.literal('gofmt'), dir: repoPath, ...common }).strict(),
  z.object({ kind: z.literal('go-vet'), ...goCommon }).strict(),
  z.object({ kind: z.literal('staticcheck'), ...goCommon }).strict(),
  z
    .object({
      kind: z.literal('golangci-lint'),
      ...goCommon,
      /** Only these linters (`--enable-only`), e.g. `['depguard']` for the architecture rules; default: the module's config. */
      linters: z.array(z.string().regex(/^[a-z0-9-]+$/, 'must be a linter name')).min(1).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('go-test'), ...goCommon, race: z.boolean().default(true) }).strict(),
  /** vitest on TypeScript acceptance tests (repository-relative files or folders). */
  z.object({ kind: z.literal('vitest'), paths, ...common }).strict(),
  /** The project's strict typecheck: `tsc --noEmit -p tsconfig.json`. */
  z.object({ kind: z.literal('tsc'), ...common }).strict(),
  /** `promtool test rules` on alerting-rule unit tests (repository-relative test files). */
  z.object({ kind: z.literal('promtool'), tests: paths, ...common }).strict(),
  z
    .object({
      kind: z.literal('probe'),
      /** Name of the service to start, from tooling/services/registry.ts. */
      service: z.string().min(1),
      /** Lab-relative path of the TypeScript probe module (default-exports `defineProbes([...])`). */
      module: z.string().regex(/\.ts$/, 'must name a .ts file'),
      ...common,
    })
    .strict(),
]);

export const manifestSchema = z
  .object({
    /** The lab's title as listed by `pnpm lab list`. */
    title: z.string().min(3),
    /** The track the lab belongs to; labs of one track build on each other in number order. */
    module: z.enum(['python', 'go', 'polyglot']),
    /** Repository-relative path of the deck (and slide anchor) that teaches this lab. */
    deck: z.string().min(1),
    /** The files or marked regions the lab owns; `reset` writes their starter, `solve` their solution. */
    owns: z.array(ownedPart).min(1),
    /** The check's steps, in order. */
    steps: z.array(stepSchema).min(1),
    /** Hints in levels, from a nudge to nearly the answer; `pnpm lab N hint K` shows level K. */
    hints: z.array(z.string().min(1)).min(1),
  })
  .strict();

export type ManifestInput = z.input<typeof manifestSchema>;
export type Manifest = z.output<typeof manifestSchema>;
export type Step = z.output<typeof stepSchema>;
export type OwnedPart = z.output<typeof ownedPart>;
export type Track = Manifest['module'];

/** Used by every `lab.ts`: returns its argument, typed, so the editor checks the manifest. */
export function defineLab(manifest: ManifestInput): ManifestInput {
  return manifest;
}

/** The first problem zod found, as `field: problem` parts for ManifestError. */
export function firstIssue(error: z.ZodError): { field: string; problem: string } {
  const issue = error.issues[0];
  if (!issue) return { field: '', problem: 'invalid manifest' };
  const field = issue.path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
  return { field: field || '(manifest)', problem: issue.message };
}
