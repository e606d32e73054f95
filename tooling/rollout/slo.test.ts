import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alertTests, counterValues, EVENTS_PER_MINUTE, scenarios } from './alert-tests.ts';
import { SLI_EVENTS } from './events.ts';
import { sloGates } from './slo-gates.ts';
import { errorBudget, loadSpecs, parseSpec, toYaml } from './spec.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const good = JSON.parse(readFileSync(path.join(root, 'tooling/rollout/slo/gateway.json'), 'utf8')) as Record<string, unknown>;
const bad = (mutate: (spec: any) => void): string => {
  const spec = structuredClone(good);
  mutate(spec);
  return JSON.stringify(spec);
};

describe('SLO specs', () => {
  it('loads one spec per service, each with an availability and a latency SLO', () => {
    const specs = loadSpecs(root);
    expect(specs.map((s) => s.spec.service)).toEqual(['catalog-go', 'catalog-python', 'gateway', 'recommender']);
    for (const { spec } of specs) {
      expect(spec.slos.map((s) => s.name).some((n) => n.endsWith('availability'))).toBe(true);
      expect(spec.slos.map((s) => s.name).some((n) => n.endsWith('latency'))).toBe(true);
      // Every SLO has the series its promtool tests drive.
      for (const slo of spec.slos) expect(SLI_EVENTS[spec.service]?.[slo.name], `${spec.service}/${slo.name}`).toBeDefined();
    }
  });

  it('rejects a bad spec with one line naming the file and the field', () => {
    const f = 'tooling/rollout/slo/gateway.json';
    const cases: [string, RegExp][] = [
      ['{', /^tooling\/rollout\/slo\/gateway\.json: not valid JSON: /],
      [bad((s) => (s.version = 'prometheus/v2')), /^tooling\/rollout\/slo\/gateway\.json: version: /],
      [bad((s) => (s.slos[0].objective = 100)), /^[^\n]*: slos\.0\.objective: must be a percentage below 100$/],
      [bad((s) => (s.slos[1].sli.events.total_query = 'sum(rate(x{job="gateway"}[5m]))')), /^[^\n]*: slos\.1\.sli\.events\.total_query: must use \{\{\.window\}\}/],
      [bad((s) => (s.slos[0].sli.events.error_query = 'sum(rate(x{job="catalog-go"}[{{.window}}]))')), /: slos\.0\.sli\.events\.error_query: must select job="gateway"/],
      [bad((s) => (s.slos[1].name = s.slos[0].name)), /: slos\.1\.name: "requests-availability" is used twice$/],
      [bad((s) => (s.slos[0].alerting.name = 'gateway-burn')), /: slos\.0\.alerting\.name: must be an alert name in UpperCamelCase$/],
      [bad((s) => (s.slos[0].typo = 1)), /: slos\.0: /],
      [bad((s) => delete s.slos[0].alerting.page_alert), /: slos\.0\.alerting\.page_alert: /],
    ];
    for (const [text, message] of cases) {
      let err: Error | undefined;
      try {
        parseSpec(text, f);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message, text.slice(0, 80)).toMatch(message);
      expect(err?.message).not.toContain('\n');
    }
    expect(() => parseSpec(JSON.stringify(good), 'tooling/rollout/slo/other.json')).toThrow(/^tooling\/rollout\/slo\/other\.json: service: is "gateway", the file must be named after it \(gateway\.json\)$/);
  });

  it('computes the error budget without float noise', () => {
    expect(errorBudget(99.9)).toBe(0.001);
    expect(errorBudget(99)).toBe(0.01);
  });
});

describe('toYaml', () => {
  it('renders nested maps and lists, quoting strings as JSON', () => {
    expect(toYaml({ a: 'x"y', b: [{ c: 1, d: ['e'] }, 2], f: {}, g: [] })).toBe('a: "x\\"y"\nb:\n  - c: 1\n    d:\n      - "e"\n  - 2\nf: {}\ng: []\n');
  });
});

describe('alert tests', () => {
  it('writes promtool counters in expanding notation, one sample per minute', () => {
    expect(counterValues([5, 5, 5])).toBe('0+5x3');
    expect(counterValues([0, 0, 7, 7, 1])).toBe('0+0x2 7+7x1 15');
  });

  it('drives each scenario at the burn it names', () => {
    const [fast, slow, within, blip] = scenarios(0.001);
    expect(fast?.traffic.map((s) => s.bad)).toEqual([0, 40]);
    expect(slow?.traffic.map((s) => s.bad)).toEqual([4]);
    expect(within?.traffic.map((s) => s.bad)).toEqual([1]);
    expect(blip?.traffic.map((s) => s.bad)).toEqual([0, 200, 0]);
    // A blip never exceeds all traffic.
    expect(scenarios(0.05)[3]?.traffic[1]?.bad).toBe(EVENTS_PER_MINUTE);
    expect(fast?.expect.at(-1)?.firing).toEqual(['page', 'ticket']);
    expect(slow?.expect.at(-1)?.firing).toEqual(['ticket']);
    expect(within?.expect.every((e) => e.firing.length === 0)).toBe(true);
  });

  it('names a missing SLI events entry in one line', () => {
    const spec = parseSpec(JSON.stringify(good), 'tooling/rollout/slo/gateway.json');
    expect(() => alertTests({ ...spec, slos: [{ ...spec.slos[0]!, name: 'new-slo' }] })).toThrow(/^tooling\/rollout\/events\.ts: no SLI events for gateway \/ new-slo/);
  });
});

describe('SLO gates', () => {
  const names = (gates: { name: string; skip?: string }[]): string[] => gates.map((g) => `${g.name}${g.skip ? ' (skip)' : ''}`);

  it('skips the promtool gates with the fix when promtool is missing outside CI', () => {
    const gates = sloGates(root, {}, () => undefined);
    expect(names(gates)).toEqual(['kit: slo rules drift', 'kit: promtool check rules (skip)', 'kit: promtool test rules (skip)']);
    expect(gates[1]?.skip).toContain('apt-get install -y --no-install-recommends prometheus');
  });

  it('runs them when CI=true even without promtool (so they fail as missing)', () => {
    const gates = sloGates(root, { CI: 'true' }, () => undefined);
    expect(names(gates)).toEqual(['kit: slo rules drift', 'kit: promtool check rules', 'kit: promtool test rules']);
    expect(gates[1]?.command).toBe('promtool');
  });

  it('checks every rule file and tests every alert test file', () => {
    const gates = sloGates(root, {}, () => '/usr/bin/promtool');
    const services = ['catalog-go', 'catalog-python', 'gateway', 'recommender'];
    expect(gates[1]?.args).toEqual(['check', 'rules', ...services.map((s) => `tooling/rollout/rules/${s}.yml`), 'tooling/rollout/alerts/recommender-page.yml']);
    expect(gates[2]?.args).toEqual(['test', 'rules', ...services.map((s) => `tooling/rollout/tests/${s}.yml`), 'labs/16-roll-it-out/check/page-alert.test.yml']);
    expect(gates.every((g) => g.skip === undefined)).toBe(true);
  });
});
