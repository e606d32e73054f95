import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECK_REPORT_SCHEMA_FILE, checkReportJsonSchema, checkReportSchema, SCHEMA_ID } from './schema.ts';

describe('check report schema', () => {
  it('the committed check-report.schema.json equals the one generated from the zod schema (run scripts/gen-check-schema.ts)', () => {
    expect(existsSync(CHECK_REPORT_SCHEMA_FILE)).toBe(true);
    expect(readFileSync(CHECK_REPORT_SCHEMA_FILE, 'utf8')).toBe(checkReportJsonSchema());
  });

  it('a failing step needs at least one failure, and unknown fields are refused', () => {
    const base = { schema: SCHEMA_ID, lab: { number: 1, id: '01', slug: '01-demo', title: 'Demo' }, result: 'fail', startedAt: 'now', ms: 1, earlierLabs: [] };
    expect(checkReportSchema.safeParse({ ...base, steps: [{ status: 'fail', step: 's', kind: 'pytest', ms: 1, failures: [] }] }).success).toBe(false);
    expect(checkReportSchema.safeParse({ ...base, steps: [{ status: 'fail', step: 's', kind: 'pytest', ms: 1, failures: [{ message: 'm' }] }] }).success).toBe(true);
    expect(checkReportSchema.safeParse({ ...base, steps: [], extra: true }).success).toBe(false);
  });
});
