/**
 * The check report: what `pnpm lab N check --json` prints, one object, stable.
 * `check-report.schema.json` beside this file is generated from it (a test fails on drift);
 * bump `schema` on any change that is not purely additive.
 */
import { z } from 'zod';

export const SCHEMA_ID = 'language-tracks/check-report@1';

export const failureSchema = z
  .object({
    /** The failing test or probe (e.g. `labs/01-typed-crud/check/test_money.py::test_negative`), when known. */
    test: z.string().optional(),
    /** What went wrong, as the tool said it (a few lines at most). */
    message: z.string(),
    /** `file:line` of the failure, when known. */
    where: z.string().optional(),
  })
  .strict();

const stepBase = {
  /** The step's label. */
  step: z.string(),
  /** The step's kind from the manifest (`ruff-check`, `pytest`, `probe`, ...). */
  kind: z.string(),
  /** Wall time in milliseconds. */
  ms: z.number().nonnegative(),
};

export const stepResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pass'), ...stepBase }).strict(),
  z
    .object({
      status: z.literal('fail'),
      ...stepBase,
      /** At least one failure, in the tool's order. */
      failures: z.array(failureSchema).min(1),
      /** What to try next. */
      hint: z.string().optional(),
    })
    .strict(),
  z
    .object({
      status: z.literal('error'),
      ...stepBase,
      /** Why the step could not give a verdict (timed out, the tool crashed). */
      why: z.string(),
    })
    .strict(),
]);

export const checkReportSchema = z
  .object({
    schema: z.literal(SCHEMA_ID),
    lab: z.object({ number: z.number().int(), id: z.string(), slug: z.string(), title: z.string() }).strict(),
    /** `pass` only when every step passed. */
    result: z.enum(['pass', 'fail']),
    startedAt: z.string(),
    ms: z.number().nonnegative(),
    steps: z.array(stepResultSchema),
    /** Earlier labs of the track that are not done: the likely cause of a failure. */
    earlierLabs: z.array(z.object({ lab: z.number().int(), title: z.string(), message: z.string() }).strict()),
    /** The hint level `pnpm lab N hint` would show next, when the check failed. */
    nextHint: z.object({ level: z.number().int().positive(), of: z.number().int().positive() }).strict().optional(),
  })
  .strict();

export type Failure = z.infer<typeof failureSchema>;
export type StepResult = z.infer<typeof stepResultSchema>;
export type CheckReport = z.infer<typeof checkReportSchema>;

/** Where the JSON Schema of the report is committed, beside this file. */
export const CHECK_REPORT_SCHEMA_FILE = new URL('./check-report.schema.json', import.meta.url);

/** The JSON Schema text of `checkReportSchema`, as `scripts/gen-check-schema.ts` writes it. */
export function checkReportJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(checkReportSchema), null, 2)}\n`;
}
