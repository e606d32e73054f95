/**
 * promtool unit tests for the generated burn-rate alerts, one file per service
 * (tooling/rollout/tests/<service>.yml), written by `pnpm slo gen` next to the rules they test.
 * For every SLO, synthetic traffic at 1-minute resolution (2000 events/min, noise series
 * included; rules evaluated every 5 minutes, as a cheap Prometheus would) in four scenarios; the expected alerts are worked out here from the error budget
 * and the standard multi-window thresholds (page: 14.4× over 1h AND 5m, or 6× over 6h AND
 * 30m; ticket: 3× over 1d AND 2h, or 1× over 3d AND 6h), independently of Sloth:
 *
 * - fast burn: 6 h clean, then 20× the budget rate. Silent 5 min in (the 5m window is over the
 *   page threshold, the 1h one holds it), page AND ticket firing 50 min in.
 * - slow burn: 2× the budget rate for 7 h: ticket firing, page silent.
 * - within budget: 0.5× the budget rate for 6 h: silent throughout.
 * - short blip: 6 h clean, one minute at 100× the budget rate (at most every event): the 5m
 *   window is over the page threshold (asserted — a single-window alert would page), both
 *   alerts stay silent.
 */
import { SLI_EVENTS, type SliEvents } from './events.ts';
import { errorBudget, toYaml, type Slo, type SloSpec } from './spec.ts';

export const EVENTS_PER_MINUTE = 2000;

/** One stretch of traffic: `minutes` minutes at `bad` bad events per minute (of EVENTS_PER_MINUTE). */
interface Stretch {
  readonly minutes: number;
  readonly bad: number;
}

type Severity = 'page' | 'ticket';

interface Scenario {
  readonly name: string;
  readonly traffic: readonly Stretch[];
  /** Minutes from the start → the severities firing then. */
  readonly expect: readonly { readonly at: number; readonly firing: readonly Severity[] }[];
  /** Assert the 5m error ratio is over the page threshold at this minute (the blip). */
  readonly shortWindowOverAt?: number;
}

export function scenarios(budget: number): Scenario[] {
  const perMin = (burn: number): number => Math.min(EVENTS_PER_MINUTE, Math.round(burn * budget * EVENTS_PER_MINUTE));
  return [
    {
      name: 'fast burn (20x): silent at first, then page and ticket fire',
      traffic: [{ minutes: 360, bad: 0 }, { minutes: 60, bad: perMin(20) }],
      expect: [
        { at: 365, firing: [] },
        { at: 410, firing: ['page', 'ticket'] },
      ],
    },
    {
      name: 'slow burn (2x): ticket fires, page stays silent',
      traffic: [{ minutes: 420, bad: perMin(2) }],
      expect: [{ at: 420, firing: ['ticket'] }],
    },
    {
      name: 'burn within budget (0.5x): silent',
      traffic: [{ minutes: 360, bad: perMin(0.5) }],
      expect: [60, 180, 360].map((at) => ({ at, firing: [] })),
    },
    {
      name: 'short blip (one minute at 100x): the 5m window spikes, both alerts stay silent',
      traffic: [{ minutes: 360, bad: 0 }, { minutes: 1, bad: perMin(100) }, { minutes: 60, bad: 0 }],
      expect: [365, 375, 420].map((at) => ({ at, firing: [] })),
      shortWindowOverAt: 365,
    },
  ];
}

/** promtool's expanding notation for a counter fed `inc[i]` in minute i (starts at 0). */
export function counterValues(increments: readonly number[]): string {
  const parts: string[] = [];
  let value = 0;
  let i = 0;
  while (i < increments.length) {
    const d = increments[i] ?? 0;
    let k = 1;
    while (i + k < increments.length && increments[i + k] === d) k++;
    // The first run starts at the 0 sample; later ones at the first sample they produce.
    parts.push(i === 0 ? `0+${d}x${k}` : k === 1 ? `${value + d}` : `${value + d}+${d}x${k - 1}`);
    value += d * k;
    i += k;
  }
  return parts.join(' ');
}

function seriesFor(events: SliEvents, traffic: readonly Stretch[]): { series: string; values: string }[] {
  const all = [...new Set([...events.good, ...events.bad, ...events.noise])];
  return all.map((series) => {
    const inc: number[] = [];
    for (const s of traffic) {
      const per = (events.good.includes(series) ? EVENTS_PER_MINUTE - s.bad : 0) + (events.bad.includes(series) ? s.bad : 0) + (events.noise.includes(series) ? EVENTS_PER_MINUTE : 0);
      for (let m = 0; m < s.minutes; m++) inc.push(per);
    }
    return { series, values: counterValues(inc) };
  });
}

/** Sloth's annotation templates, expanded as Prometheus expands them for a firing alert. */
function alertAnnotations(spec: SloSpec, slo: Slo, severity: Severity): Record<string, string> {
  const level = severity === 'page' ? slo.alerting.page_alert : slo.alerting.ticket_alert;
  return {
    ...slo.alerting.annotations,
    ...level.annotations,
    summary: `${spec.service} ${slo.name} SLO error budget burn rate is over expected.`,
    title: `(${severity}) ${spec.service} ${slo.name} SLO error budget burn rate is too fast.`,
  };
}

function alertLabels(spec: SloSpec, slo: Slo, severity: Severity): Record<string, string> {
  const level = severity === 'page' ? slo.alerting.page_alert : slo.alerting.ticket_alert;
  return {
    ...spec.labels,
    ...slo.labels,
    ...slo.alerting.labels,
    ...level.labels,
    sloth_id: `${spec.service}-${slo.name}`,
    sloth_service: spec.service,
    sloth_severity: severity,
    sloth_slo: slo.name,
  };
}

/** The promtool test file (YAML text) for one spec; its rules are ../rules/<service>.yml. */
export function alertTests(spec: SloSpec): string {
  const tests: unknown[] = [];
  for (const slo of spec.slos) {
    const events = SLI_EVENTS[spec.service]?.[slo.name];
    if (!events) throw new Error(`tooling/rollout/events.ts: no SLI events for ${spec.service} / ${slo.name}: add what its good, bad and noise series are`);
    const budget = errorBudget(slo.objective);
    for (const sc of scenarios(budget)) {
      const test: Record<string, unknown> = {
        name: `${slo.name}: ${sc.name}`,
        interval: '1m',
        input_series: seriesFor(events, sc.traffic),
        alert_rule_test: sc.expect.map((e) => ({
          eval_time: `${e.at}m`,
          alertname: slo.alerting.name,
          exp_alerts: e.firing.map((sev) => ({ exp_labels: alertLabels(spec, slo, sev), exp_annotations: alertAnnotations(spec, slo, sev) })),
        })),
      };
      if (sc.shortWindowOverAt !== undefined) {
        test['promql_expr_test'] = [
          {
            expr: `count(slo:sli_error:ratio_rate5m{sloth_id="${spec.service}-${slo.name}"} > 14.4 * ${budget})`,
            eval_time: `${sc.shortWindowOverAt}m`,
            exp_samples: [{ labels: '{}', value: 1 }],
          },
        ];
      }
      tests.push(test);
    }
  }
  const header = `# Generated by \`pnpm slo gen\` (tooling/rollout/alert-tests.ts) from ${spec.service}.json: do not edit.\n# Run: promtool test rules tooling/rollout/tests/${spec.service}.yml\n`;
  return header + toYaml({ rule_files: [`../rules/${spec.service}.yml`], evaluation_interval: '5m', tests });
}
