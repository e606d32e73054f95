/**
 * `pnpm rollout canary --candidate good|faulty [--json]` and `pnpm rollout blue-green [--json]`:
 * the local rollout stack (recommender v1 + v2, the gateway, a real Prometheus) under load, with
 * automatic rollback (tooling/rollout/runtime). `pnpm rollout drain [--json]`: two recommenders
 * at 50/50 under load, SIGTERM to one, no request may fail (no Prometheus). Text by default;
 * `--json` prints ONE object. Exit 0 promoted / clean, 3 rolled back, 1 error, 2 bad usage;
 * Ctrl-C stops everything started.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopAllChildren } from '../tooling/lab-engine/process.ts';
import { runBlueGreen, blueGreenSummary } from '../tooling/rollout/runtime/blue-green.ts';
import { canarySummary, runCanary } from '../tooling/rollout/runtime/canary.ts';
import { EXIT, parseArgs, USAGE } from '../tooling/rollout/runtime/cli.ts';
import { drainSummary, runDrain } from '../tooling/rollout/runtime/drain.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const parsed = parseArgs(process.argv.slice(2));
if ('error' in parsed) {
  console.log(`rollout: ${parsed.error} — ${USAGE}`);
  process.exit(EXIT.usage);
}
if (parsed.kind === 'help') {
  console.log(USAGE);
  process.exit(EXIT.ok);
}

/** Whatever a run has started, newest last: stopped on Ctrl-C / SIGTERM / the deadline. */
const resources: (() => Promise<unknown>)[] = [];
let stopping = false;
async function abort(why: string, code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.error(`rollout: ${why}: stopping everything started`);
    const grace = setTimeout(stopAllChildren, 5_000);
    for (const stop of resources.splice(0).reverse()) await stop().catch(() => undefined);
    clearTimeout(grace);
    stopAllChildren();
  }
  process.exit(code);
}
process.on('SIGINT', () => void abort('interrupted', 130));
process.on('SIGTERM', () => void abort('terminated', 143));
/** The whole run is bounded: the stack's start (a cold `go run` compiles) plus the rollout. */
const RUN_DEADLINE_MS = Number(process.env['ROLLOUT_DEADLINE_MS'] ?? 240_000);
const deadline = setTimeout(() => void abort(`no result within ${RUN_DEADLINE_MS / 1000} s`, EXIT.error), RUN_DEADLINE_MS);

const json = parsed.json;
const log = (line: string): void => {
  if (!json) console.log(line);
};
const onResource = (stop: () => Promise<unknown>): void => {
  resources.push(stop);
};

try {
  if (parsed.kind === 'canary') {
    const report = await runCanary({ root, candidate: parsed.candidate, log, onResource });
    if (json) console.log(JSON.stringify(report));
    else for (const line of canarySummary(report)) console.log(line);
    clearTimeout(deadline);
    process.exitCode = report.result === 'promoted' ? EXIT.ok : EXIT.rolledBack;
  } else if (parsed.kind === 'drain') {
    const report = await runDrain({ root, log, onResource });
    if (json) console.log(JSON.stringify(report));
    else for (const line of drainSummary(report)) console.log(line);
    clearTimeout(deadline);
    process.exitCode = report.result === 'clean' ? EXIT.ok : EXIT.error;
  } else {
    const report = await runBlueGreen({ root, log, onResource });
    if (json) console.log(JSON.stringify(report));
    else for (const line of blueGreenSummary(report)) console.log(line);
    clearTimeout(deadline);
    process.exitCode = report.result === 'clean' ? EXIT.ok : EXIT.error;
  }
} catch (error) {
  clearTimeout(deadline);
  const message = error instanceof Error ? error.message : String(error);
  if (json) console.log(JSON.stringify({ result: 'error', error: message }));
  else console.log(`rollout: ${message}`);
  if (process.env['ROLLOUT_DEBUG'] === '1' && error instanceof Error) console.error(error.stack);
  stopAllChildren();
  process.exitCode = EXIT.error;
}
