/** `pnpm gen`: regenerate the Go and Python code from proto/ (see tooling/codegen/generate.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { regenerateInPlace } from '../tooling/codegen/generate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const result = await regenerateInPlace(root);
if (!result.ok) {
  console.error(result.message);
  process.exit(1);
}
console.log(`generated ${result.files.length} files:\n${result.files.join('\n')}`);
