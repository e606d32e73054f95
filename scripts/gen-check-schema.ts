/**
 * Writes tooling/lab-engine/report/check-report.schema.json from the zod schema of the check
 * report (`pnpm exec node scripts/gen-check-schema.ts`). A test fails when the committed file
 * differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHECK_REPORT_SCHEMA_FILE, checkReportJsonSchema } from '../tooling/lab-engine/report/schema.ts';

writeFileSync(CHECK_REPORT_SCHEMA_FILE, checkReportJsonSchema());
console.log(`wrote ${fileURLToPath(CHECK_REPORT_SCHEMA_FILE)}`);
