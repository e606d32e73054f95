/**
 * `pnpm test` — the whole suite: TypeScript typecheck, vitest, every language gate, then
 * `pnpm kit verify`. Gates run two at a time; each prints one line with its time as it ends;
 * a failing gate's output follows the table. Exit 0 only when every gate passed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allGates, runGate, type Gate, type GateResult } from '../tooling/gates/gates.ts';
import { stopAllChildren } from '../tooling/lab-engine/process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function line(r: GateResult): string {
  const mark = r.status === 'pass' ? '✓' : '✗';
  return `${mark} ${r.gate.name.padEnd(40)} ${r.status.padEnd(8)} ${(r.ms / 1000).toFixed(1).padStart(6)}s`;
}

async function pool(gates: readonly Gate[], width: number, onDone: (r: GateResult) => void): Promise<GateResult[]> {
  const results: GateResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < gates.length) {
      const gate = gates[next++];
      if (!gate) continue;
      const result = await runGate(gate);
      results.push(result);
      onDone(result);
    }
  };
  await Promise.all(Array.from({ length: width }, () => worker()));
  return results;
}

process.on('SIGINT', () => {
  stopAllChildren();
  process.exit(130);
});

const started = performance.now();
const gates = allGates(root);
const print = (r: GateResult): void => console.log(line(r));
const results = [
  ...(await pool(gates.filter((g) => !g.alone), 2, print)),
  ...(await pool(gates.filter((g) => g.alone), 1, print)),
];
const failed = results.filter((r) => r.status !== 'pass');
for (const r of failed) {
  console.log(`\n── ${r.gate.name} (${r.status}) ──`);
  console.log(r.output.trimEnd().split('\n').slice(-60).join('\n'));
}
console.log(`\npnpm test: ${results.length} gates in ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
process.exitCode = failed.length === 0 ? 0 : 1;
