/**
 * kit verify's hygiene finding: a file under a lab's starter/ or solution/ that no `owns` entry
 * names is one failed finding each. Checked on temporary copies of real lab folders (lab 3 owns
 * whole files, lab 16 regions), with stray files planted.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, loadLabs } from '../lab-engine/labs.ts';
import { strayFindings, strayVersionFiles } from './verify.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('stray starter/solution files', () => {
  let copy = '';
  let labs: Lab[] = [];
  beforeAll(async () => {
    copy = mkdtempSync(path.join(tmpdir(), 'kit-stray-'));
    const real = (await loadLabs(root)).filter((l) => l.number === 3 || l.number === 16);
    labs = real.map((lab) => {
      const dir = path.join(copy, 'labs', lab.slug);
      for (const version of ['starter', 'solution']) cpSync(path.join(lab.dir, version), path.join(dir, version), { recursive: true });
      return { ...lab, dir };
    });
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  const labNumbered = (n: number): Lab => {
    const found = labs.find((l) => l.number === n);
    if (!found) throw new Error(`no lab ${n}`);
    return found;
  };
  const plant = (lab: Lab, file: string): void => {
    mkdirSync(path.dirname(path.join(lab.dir, file)), { recursive: true });
    writeFileSync(path.join(lab.dir, file), 'stray\n');
  };

  it('finds none in the labs as they are (whole files and @region files)', () => {
    for (const lab of labs) {
      expect(strayVersionFiles(copy, lab)).toEqual([]);
      expect(strayFindings(copy, lab)).toEqual([{ name: 'every starter/solution file is owned', ok: true, detail: `${lab.manifest.owns.length} part(s)` }]);
    }
  });

  it('names each stray file once: an unowned file, a renamed region, a region file stored whole', () => {
    const lab3 = labNumbered(3);
    const lab16 = labNumbered(16);
    plant(lab3, 'starter/python/services/catalog/src/catalog/use_cases_old.py');
    plant(lab16, 'solution/tooling/rollout/alerts/recommender-page.yml@page-alert-v2');
    plant(lab16, 'starter/tooling/rollout/alerts/recommender-page.yml');
    expect(strayVersionFiles(copy, lab3)).toEqual([`labs/${lab3.slug}/starter/python/services/catalog/src/catalog/use_cases_old.py`]);
    const findings = strayFindings(copy, lab16);
    expect(findings.map((f) => [f.name, f.ok])).toEqual([
      [`stray file: labs/${lab16.slug}/starter/tooling/rollout/alerts/recommender-page.yml`, false],
      [`stray file: labs/${lab16.slug}/solution/tooling/rollout/alerts/recommender-page.yml@page-alert-v2`, false],
    ]);
    expect(findings[0]?.detail).toBe(`no owns entry of lab 16 names it (a whole file by its path, a region as <path>@<region>): add the part to labs/${lab16.slug}/lab.ts or delete the file`);
  });
});
