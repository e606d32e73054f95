/**
 * The decks, and the labs each one links. A deck is `slides/<name>/slides.md`; the labs of a
 * module deck come from the `labs/NN-slug/` folders that exist (numbered ranges below), so a
 * lab that lands gets its slide on the next `pnpm slides` run without editing the deck.
 *
 * Lab slides are generated into `slides/<deck>/labs.generated.md` (ignored by git), which the
 * deck pulls in with a `src: ./labs.generated.md` slide. For each lab it holds, in order, the
 * hand-written teaching slides `slides/<deck>/labs/lab-N.md` if that file exists, then the lab
 * slide itself: `routeAlias: lab-N`, so `#lab-N` in a manifest's `deck` field is the URL
 * `<deck>/#/lab-N` (the hash router's deep link), and a `<LabCard>` linking the README.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Deck {
  /** The folder under slides/ and the name in commands: `pnpm slides python`. */
  readonly name: string;
  readonly title: string;
  /** Lab numbers that belong to this deck (inclusive); none for the kickoff. */
  readonly labs?: { readonly from: number; readonly to: number };
}

export const DECKS: readonly Deck[] = [
  { name: 'kickoff', title: 'Kickoff: the workshop, the labs, the setup' },
  { name: 'python', title: 'Python: async-first, typed, hexagonal', labs: { from: 1, to: 5 } },
  { name: 'go', title: 'Go: simple interfaces, predictable concurrency', labs: { from: 6, to: 10 } },
  { name: 'polyglot', title: 'Polyglot: the Python ⇄ Go gRPC bridge', labs: { from: 11, to: 16 } },
];

export const GENERATED = 'labs.generated.md';

export interface LabFolder {
  readonly number: number;
  /** `01-typed-crud` */
  readonly slug: string;
  /** The manifest's `title: '...'` line, else the README's first heading without its `Lab N —` prefix. */
  readonly title: string;
}

const LAB_DIR = /^(\d{2})-([a-z0-9][a-z0-9-]*)$/;

/** The lab folders that have a README, by number. Manifests are read as text, not loaded: a half-written lab.ts must not break the slides. */
export function labFolders(root: string): LabFolder[] {
  const dir = path.join(root, 'labs');
  if (!existsSync(dir)) return [];
  const found: LabFolder[] = [];
  for (const slug of readdirSync(dir).sort()) {
    const match = LAB_DIR.exec(slug);
    const readme = path.join(dir, slug, 'README.md');
    if (!match || !existsSync(readme)) continue;
    const manifest = path.join(dir, slug, 'lab.ts');
    const declared = existsSync(manifest) ? /^\s*title:\s*'([^'\n]+)'/m.exec(readFileSync(manifest, 'utf8'))?.[1] : undefined;
    const heading = /^#\s+(.+)$/m.exec(readFileSync(readme, 'utf8'))?.[1] ?? slug;
    const title = declared ?? heading.replace(/^Lab\s+\d+\s*[—–:-]\s*/i, '').trim();
    found.push({ number: Number(match[1]), slug, title });
  }
  return found;
}

export function deckOfLab(lab: number): Deck | undefined {
  return DECKS.find((d) => d.labs && lab >= d.labs.from && lab <= d.labs.to);
}

export function labsOfDeck(root: string, deck: Deck): LabFolder[] {
  return labFolders(root).filter((lab) => deckOfLab(lab.number)?.name === deck.name);
}

export function deckDir(root: string, deck: Deck): string {
  return path.join(root, 'slides', deck.name);
}

export function deckEntry(root: string, deck: Deck): string {
  return path.join(deckDir(root, deck), 'slides.md');
}

/** Every deck whose folder has a slides.md, in DECKS order. */
export function availableDecks(root: string): Deck[] {
  return DECKS.filter((d) => existsSync(deckEntry(root, d)));
}

function yamlString(text: string): string {
  return JSON.stringify(text);
}

/** The markdown of a deck's generated lab slides. */
export function labSlidesMarkdown(root: string, deck: Deck): string {
  const labs = labsOfDeck(root, deck);
  const slides: string[] = [];
  if (labs.length === 0) {
    const range = deck.labs ? `${deck.labs.from}-${deck.labs.to}` : '';
    slides.push(
      [
        '---',
        'layout: center',
        '---',
        '',
        '# Labs',
        '',
        `Labs ${range} of this module arrive with their issues: each gets its slide here as soon as its folder exists.`,
        '',
        `<!-- No lab folder of this module yet: the labs ${range} slides are generated from labs/ on every pnpm slides run. -->`,
      ].join('\n'),
    );
  }
  for (const lab of labs) {
    const teaching = path.join(deckDir(root, deck), 'labs', `lab-${lab.number}.md`);
    if (existsSync(teaching)) slides.push(['---', `src: ./labs/lab-${lab.number}.md`, '---'].join('\n'));
    slides.push(
      [
        '---',
        `routeAlias: lab-${lab.number}`,
        `title: ${yamlString(`Lab ${lab.number}: ${lab.title}`)}`,
        '---',
        '',
        `# Lab ${lab.number} · ${lab.title}`,
        '',
        `<LabCard :n="${lab.number}" slug="${lab.slug}" />`,
        '',
        '<!--',
        `Lab ${lab.number}. Everyone opens labs/${lab.slug}/README.md: it is the whole lesson.`,
        `Run \`pnpm lab ${lab.number} reset\` first (\`--catch-up\` for anyone who missed an earlier lab),`,
        `then \`pnpm lab ${lab.number} check --watch\` while working. Hints come in levels; diff shows the solution.`,
        '-->',
      ].join('\n'),
    );
  }
  // The first slide of an imported file takes its frontmatter from the `---` block that opens the file.
  return `${slides.join('\n\n')}\n`;
}

/** Writes `slides/<deck>/labs.generated.md` for every module deck; returns the files written. */
export function generateLabSlides(root: string, decks: readonly Deck[] = availableDecks(root)): string[] {
  const written: string[] = [];
  for (const deck of decks) {
    if (!deck.labs) continue;
    const file = path.join(deckDir(root, deck), GENERATED);
    const text = labSlidesMarkdown(root, deck);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
    written.push(file);
  }
  return written;
}
