import { describe, expect, it } from 'vitest';
import { promtoolFailures } from './promtool.ts';

// promtool 2.42's `test rules` output for two failed assertions (stderr).
const output = `Unit Testing:  labs/16-roll-it-out/check/page-alert.test.yml
  FAILED:
    name: short blip (one minute at 100x): no page,
    alertname: RecommenderAvailabilityPage, time: 6h5m, 
        exp:[], 
        got:[
            0:
              Labels:{alertname="RecommenderAvailabilityPage", severity="page", slo="rpc-availability"}
              Annotations:{runbook="tooling/rollout/README.md"}
            ]
    name: steady burn (8x for 7 h): the 6h/30m pair pages,
    alertname: RecommenderAvailabilityPage, time: 7h, 
        exp:[
            0:
              Labels:{alertname="RecommenderAvailabilityPage", severity="page", slo="rpc-availability"}
              Annotations:{runbook="tooling/rollout/README.md"}
            ], 
        got:[]
`;

describe('promtoolFailures', () => {
  it('says which test, which alert, when, and whether it paged or stayed silent', () => {
    expect(promtoolFailures(output)).toEqual([
      { test: 'short blip (one minute at 100x): no page', message: 'RecommenderAvailabilityPage FIRED at 6h5m where it must stay silent' },
      { test: 'steady burn (8x for 7 h): the 6h/30m pair pages', message: 'RecommenderAvailabilityPage stayed SILENT at 7h where it must fire' },
    ]);
  });

  it('finds nothing in a rule file error (the step shows the output instead)', () => {
    expect(promtoolFailures('  FAILED:\nx.yml: 12:15: group "g", rule 1: could not parse expression')).toEqual([]);
  });
});
