/**
 * Runs a selection of the gate list and prints one table — shared by `pnpm test`
 * (scripts/test.ts) and `pnpm gates` (scripts/gates.ts). Gates run two at a time, `alone` ones
 * after, one at a time. Each row prints as its gate ends: gate, scope, result, time. A failing
 * gate's output follows the table. Skipped rows say why and never count as a pass.
 */
import { runGate, type Gate, type GateResult } from './gates.ts';

const MARK: Record<GateResult['status'], string> = { pass: '✓', fail: '✗', missing: '✗', skip: '–' };

export function tableHeader(): string {
  return `  ${'gate'.padEnd(44)} ${'scope'.padEnd(7)} ${'result'.padEnd(8)} ${'time'.padStart(7)}`;
}

export function tableRow(r: GateResult): string {
  const time = r.status === 'skip' || r.status === 'missing' ? '' : `${(r.ms / 1000).toFixed(1)}s`;
  const row = `${MARK[r.status]} ${r.gate.name.padEnd(44)} ${r.gate.scope.padEnd(7)} ${r.status.padEnd(8)} ${time.padStart(7)}`;
  return r.status === 'skip' ? `${row}  (${r.output})` : row;
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

export interface Summary {
  readonly results: GateResult[];
  readonly failed: GateResult[];
  readonly skipped: GateResult[];
}

/** Runs the gates, prints the table, failing outputs and a summary. Exit 0 only if none failed. */
export async function runAndReport(label: string, gates: readonly Gate[], log: (s: string) => void = console.log): Promise<Summary> {
  const started = performance.now();
  log(tableHeader());
  const print = (r: GateResult): void => log(tableRow(r));
  const results = [
    ...(await pool(gates.filter((g) => !g.alone), 2, print)),
    ...(await pool(gates.filter((g) => g.alone), 1, print)),
  ];
  const failed = results.filter((r) => r.status === 'fail' || r.status === 'missing');
  const skipped = results.filter((r) => r.status === 'skip');
  for (const r of failed) {
    log(`\n── ${r.gate.name} (${r.status}) ──`);
    log(r.output.trimEnd().split('\n').slice(-60).join('\n'));
  }
  // Never silent: each gate that did not run is named with why (and how to make it run).
  for (const r of skipped) log(`not run: ${r.gate.name} — ${r.output}`);
  log(`\n${label}: ${results.length} gates in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  log(`${results.length - failed.length - skipped.length} passed, ${failed.length} failed${skipped.length ? `, ${skipped.length} skipped` : ''}`);
  return { results, failed, skipped };
}
