/**
 * `pnpm slo gen`: regenerate the SLO rules (Sloth) and their promtool unit tests from the specs
 * in tooling/rollout/slo (see tooling/rollout/generate.ts). `pnpm slo check`: validate the
 * specs only (one line per problem). Exit 0 ok, 1 failure, 2 bad usage.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { regenerateSloInPlace } from '../tooling/rollout/generate.ts';
import { loadSpecs } from '../tooling/rollout/spec.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const usage = 'usage: pnpm slo gen|check';
const [command, ...rest] = process.argv.slice(2);

if (rest.length > 0 || (command !== 'gen' && command !== 'check')) {
  console.log(`slo: ${command === undefined ? 'no command' : `unknown command '${[command, ...rest].join(' ')}'`} — ${usage}`);
  process.exit(2);
}
if (command === 'check') {
  try {
    const specs = loadSpecs(root);
    console.log(`${specs.length} SLO specs ok: ${specs.map((s) => `${s.spec.service} (${s.spec.slos.map((x) => x.name).join(', ')})`).join('; ')}`);
  } catch (e) {
    console.log((e as Error).message);
    process.exit(1);
  }
} else {
  const result = await regenerateSloInPlace(root);
  if (!result.ok) {
    console.log(result.message);
    process.exit(1);
  }
  console.log(`generated ${result.files.length} files:\n${result.files.join('\n')}`);
}
