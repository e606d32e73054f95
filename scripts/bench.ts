/**
 * `pnpm bench <name> [options]`: benchmarks that print numbers (never timed tests).
 *
 *   lab-check [runs]   warm `pnpm lab 1 check` against the same gates run directly
 *   catalog-py         the Python catalog: fan-out p50/p99, deadline overshoot, req/s vs FastAPI
 *   catalog-go         the Go catalog (vs bare net/http) and the Python one, side by side
 *   polyglot           gateway -> gRPC recommender vs the gateway -> a canned grpc-go server:
 *                      p50/p99, req/s (goal >= 60%), deadline overshoot at the edge (504s)
 *
 * Options (catalog-*, polyglot): --requests N (measured requests of each req/s run, default 5000; the
 * latency runs use N/10 and N/25), --concurrency N (req/s runs, default 32),
 * --latency-concurrency N (latency runs, default 4), --loadgen auto|wrk|node (req/s runs: wrk
 * when installed, for N/1000 s clamped to 3..30, else Node), --json (one JSON object on stdout).
 * Exit 0 with the figures, even when a goal is missed (said so); 1 when the bench could not run;
 * 2 for an unknown bench or a bad option (one line).
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopAllChildren } from '../tooling/lab-engine/process.ts';
import { BenchError, affinity, benchCatalog, machine, stopAll, type CatalogFigures, type CatalogKind } from '../tooling/bench/catalog.ts';
import { benchPolyglot } from '../tooling/bench/polyglot.ts';
import { metricsTable, parseArgs, sideBySide, usage, verdict, missedBy, type BenchOptions } from '../tooling/bench/report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void stopAll().finally(() => {
      stopAllChildren();
      process.exit(130);
    });
    setTimeout(() => {
      stopAllChildren();
      process.exit(130);
    }, 5_000).unref();
  });
}
process.on('exit', () => stopAllChildren());

async function catalogs(name: 'catalog-py' | 'catalog-go' | 'polyglot', options: BenchOptions): Promise<number> {
  const order: CatalogKind[] = name === 'catalog-py' ? ['python'] : ['go', 'python'];
  const pinning = await affinity();
  const log = (line: string): void => {
    if (!options.json) console.error(line);
  };
  const started = performance.now();
  const env = machine(pinning);
  log(`pnpm bench ${name}: ${String(env['cores'])} cores, load average ${String(env['loadavg1m'])}; ${pinning.description}`);
  const figures: CatalogFigures[] = [];
  try {
    if (name === 'polyglot') figures.push(await benchPolyglot(root, options, pinning, log));
    else for (const kind of order) figures.push(await benchCatalog(root, kind, options, pinning, log));
  } finally {
    await stopAll();
  }
  const missed = figures.flatMap((f) => f.metrics.filter((m) => verdict(m) === 'over' || verdict(m) === 'under').map((m) => `${f.label}: ${m.name} ${missedBy(m)}`));
  const seconds = (performance.now() - started) / 1000;
  if (options.json) {
    console.log(
      JSON.stringify({
        bench: name,
        date: new Date().toISOString(),
        machine: env,
        options: { requests: options.requests, concurrency: options.concurrency, latencyConcurrency: options.latencyConcurrency, loadgen: options.loadgen },
        seconds: Number(seconds.toFixed(1)),
        loadavg1mAtEnd: Number(loadavg()[0]?.toFixed(2)),
        services: figures.map((f) => ({ label: f.label, metrics: f.metrics.map((m) => ({ ...m, verdict: verdict(m) })), notes: f.notes, raw: f.raw })),
        goalsMissed: missed,
      }),
    );
    return 0;
  }
  console.log('');
  if (figures.length === 1 && figures[0]) console.log(metricsTable(figures[0].metrics));
  else console.log(sideBySide(figures.map((f) => ({ label: f.label, metrics: f.metrics }))));
  for (const f of figures) for (const note of f.notes) console.log(`note (${f.label}): ${note}`);
  const loadgen = String((figures[0]?.raw['service'] as { loadgen?: unknown } | undefined)?.loadgen ?? '?');
  console.log(
    `latency runs: ${Math.max(20, Math.round(options.requests / 10))} (${name === 'polyglot' ? 'light load' : 'fan-out'}) and ${Math.max(20, Math.round(options.requests / 25))} (overshoot) requests at concurrency ${options.latencyConcurrency}; req/s runs: ${loadgen}; ${env['pinning'] as string}; load average ${String(env['loadavg1m'])} at start, ${loadavg()[0]?.toFixed(2) ?? '?'} at end; ${seconds.toFixed(0)} s`,
  );
  if (missed.length > 0) console.log(`${missed.length} goal(s) missed: ${missed.join('; ')} (a measurement, not a test: exit 0)`);
  else console.log('every goal met');
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    console.log(usage);
    return 0;
  }
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    console.error(parsed.message);
    return 2;
  }
  if (parsed.name === 'lab-check') {
    const { labCheck } = await import('./bench/lab-check.ts');
    await labCheck(parsed.options.runs);
    return 0;
  }
  return catalogs(parsed.name, parsed.options);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof BenchError || error instanceof Error ? error.message : String(error);
  console.error(`pnpm bench: could not run: ${message.split('\n').slice(0, 12).join('\n')}`);
  process.exitCode = 1;
}
