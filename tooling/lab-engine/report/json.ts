/** `check --json`: the report validated against its schema before it is printed. */
import { checkReportSchema, type CheckReport } from './schema.ts';

export function toJson(report: CheckReport): string {
  return JSON.stringify(checkReportSchema.parse(report), null, 2);
}
