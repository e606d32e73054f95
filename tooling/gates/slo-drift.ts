/**
 * Gate `kit: slo rules drift`: regenerates the SLO rules and alert tests (tooling/rollout/
 * generate.ts, the code `pnpm slo gen` runs) into a temporary folder and compares them byte for
 * byte with the committed ones, both ways (differs, missing, stale: named). Exit 0 clean, 1 drift
 * or error.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sloDrift } from '../rollout/generate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const result = await sloDrift(root);
if (!result.ok) {
  console.log(result.message);
  process.exit(1);
}
console.log(`SLO rules and alert tests match tooling/rollout/slo (${result.count} files)`);
