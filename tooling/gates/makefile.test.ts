// The Makefile is a thin layer: every target's recipe calls a pnpm script that exists, with a
// scope and `--only` words that select at least one gate of the one gate list.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allGates, isScope, selectGates } from './gates.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

interface Target {
  name: string;
  prereqs: string[];
  recipe: string[];
}

function targets(): Target[] {
  const out: Target[] = [];
  for (const line of readFileSync(path.join(root, 'Makefile'), 'utf8').split('\n')) {
    const head = /^([a-z][a-z-]*):(?!=)([^#]*)/.exec(line);
    if (head?.[1]) out.push({ name: head[1], prereqs: (head[2] ?? '').trim().split(/\s+/).filter(Boolean), recipe: [] });
    else if (line.startsWith('\t') && out.length > 0) out[out.length - 1]?.recipe.push(line.trim());
  }
  return out;
}

const words = (cmd: string): string[] => (cmd.match(/'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^'|'$/g, ''));

describe('Makefile', () => {
  const all = targets();
  const names = new Set(all.map((t) => t.name));
  const gates = allGates(root);

  it("has the seed's targets", () => {
    for (const lang of ['python', 'go']) for (const verb of ['lint', 'format', 'type', 'test']) expect(names).toContain(`${verb}-${lang}`);
    for (const t of ['gates', 'sbom', 'scan', 'lint', 'format', 'type', 'test']) expect(names).toContain(t);
  });

  it.each(all.map((t) => [t.name, t] as const))('%s: its command exists', (_, t) => {
    for (const p of t.prereqs) expect(names, `${t.name} needs ${p}`).toContain(p);
    for (const cmd of t.recipe.filter((r) => !r.startsWith('@'))) {
      const [tool, script, ...args] = words(cmd);
      expect(tool, cmd).toBe('pnpm');
      expect(Object.keys(scripts), cmd).toContain(script);
      if (script === 'gates') {
        const scope = args.find((a) => !a.startsWith('--') && isScope(a));
        const at = args.indexOf('--only');
        const only = at >= 0 ? (args[at + 1] ?? '').split(',') : [];
        const picked = selectGates(gates, scope && isScope(scope) ? scope : undefined);
        expect(picked.length, cmd).toBeGreaterThan(0);
        for (const w of only) expect(picked.some((g) => g.name.includes(w)), `${cmd}: no gate named *${w}*`).toBe(true);
      }
      if (script === 'scan') expect(['secrets', 'sast', 'deps'], cmd).toContain(args[0]);
      if (t.recipe.length === 0 && t.prereqs.length === 0) throw new Error(`${t.name}: no recipe`);
    }
  });
});
