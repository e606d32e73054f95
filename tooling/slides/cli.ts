/**
 * `pnpm slides` — list the decks; `pnpm slides <deck>` present one; `pnpm slides build [deck]`
 * static sites into dist/slides/; `pnpm slides export [deck]` PDFs with Debian's Chromium;
 * `pnpm slides test` the gate of `pnpm test`. Bad input: one line, exit 2.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { EXIT, UsageError } from '../lab-engine/errors.ts';
import { freePort } from '../lab-engine/process.ts';
import { availableDecks, generateLabSlides, labsOfDeck, type Deck } from './decks.ts';
import { runSlidesTest } from './check.ts';
import { copyLabReadmes, findExternalUrls, writeIndex } from './site.ts';
import { buildDeck, exportDeck, outDir, pdfPath, presentDeck, requireChromium, screenshotsDir } from './slidev.ts';

export const USAGE = `usage: pnpm slides                 list the decks
       pnpm slides <deck>          present a deck (dev server; presenter mode at /#/presenter/1)
       pnpm slides build [deck]    static sites into dist/slides/ (index.html links every deck)
       pnpm slides export [deck]   one PDF per deck into dist/slides/pdf/ (needs /usr/bin/chromium)
       pnpm slides test            build, offline scan, browser test of every slide, lab links, one PDF`;

const seeHelp = '— `pnpm slides --help` shows the usage';

function pickDecks(root: string, name: string | undefined): Deck[] {
  const decks = availableDecks(root);
  if (name === undefined) return decks;
  const deck = decks.find((d) => d.name === name);
  if (!deck) throw new UsageError(`unknown deck "${name}" — the decks are ${decks.map((d) => d.name).join(', ')}`);
  return [deck];
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export async function main(root: string, argv: readonly string[]): Promise<number> {
  const [verb, arg, ...extra] = argv;
  if (verb === '--help' || verb === '-h') {
    console.log(USAGE);
    return EXIT.ok;
  }
  const decks = availableDecks(root);
  if (verb === undefined || verb === 'list') {
    if (arg !== undefined) throw new UsageError(`\`pnpm slides\` takes no argument here ${seeHelp}`);
    for (const deck of decks) {
      const labs = labsOfDeck(root, deck).map((l) => l.number);
      const range = deck.labs ? `labs ${deck.labs.from}-${deck.labs.to}` : 'no labs';
      console.log(`${deck.name.padEnd(10)} ${deck.title.padEnd(50)} ${range}${labs.length ? ` (linked: ${labs.join(', ')})` : ''}`);
    }
    console.log(`present: pnpm slides <deck> · build: pnpm slides build [deck] → ${path.relative(root, outDir(root))}/ · PDF: pnpm slides export [deck]`);
    return EXIT.ok;
  }
  if (extra.length) throw new UsageError(`too many arguments ${seeHelp}`);
  if (verb === 'build') {
    const chosen = pickDecks(root, arg);
    generateLabSlides(root, chosen);
    if (arg === undefined) rmSync(outDir(root), { recursive: true, force: true });
    let failed = 0;
    for (const deck of chosen) {
      const result = await buildDeck(root, deck);
      if (result.code !== 0) {
        failed++;
        console.log(`✗ ${deck.name}: build failed\n${(result.stdout + result.stderr).trimEnd().split('\n').slice(-30).join('\n')}`);
      } else console.log(`✓ ${deck.name.padEnd(10)} ${path.relative(root, path.join(outDir(root), deck.name))}/  ${seconds(result.ms)}`);
    }
    copyLabReadmes(root);
    const index = writeIndex(root);
    const external = findExternalUrls(outDir(root));
    for (const e of external) console.log(`✗ external URL in ${e.file}: ${e.url}`);
    console.log(`index: ${path.relative(root, index)} (serve ${path.relative(root, outDir(root))}/ with any static server)`);
    return failed || external.length ? EXIT.failed : EXIT.ok;
  }
  if (verb === 'export') {
    const chosen = pickDecks(root, arg);
    requireChromium();
    generateLabSlides(root, chosen);
    let failed = 0;
    for (const deck of chosen) {
      const result = await exportDeck(root, deck);
      const file = pdfPath(root, deck);
      if (result.code !== 0 || !existsSync(file)) {
        failed++;
        console.log(`✗ ${deck.name}: export failed\n${(result.stdout + result.stderr).trimEnd().split('\n').slice(-30).join('\n')}`);
      } else console.log(`✓ ${deck.name.padEnd(10)} ${path.relative(root, file)}  ${seconds(result.ms)}`);
    }
    if (existsSync(path.join(outDir(root), 'index.html'))) writeIndex(root);
    return failed ? EXIT.failed : EXIT.ok;
  }
  if (verb === 'test') {
    if (arg !== undefined) throw new UsageError(`\`pnpm slides test\` takes no argument ${seeHelp}`);
    const started = performance.now();
    const findings = await runSlidesTest(root, (f) => console.log(`${f.ok ? '✓' : '✗'} ${f.name.padEnd(58)} ${f.detail}`));
    const failed = findings.filter((f) => !f.ok).length;
    console.log(`slides test: ${decks.length} decks in ${seconds(performance.now() - started)}; screenshots in ${path.relative(root, screenshotsDir(root))}/`);
    console.log(`${findings.length - failed} passed, ${failed} failed`);
    return failed ? EXIT.failed : EXIT.ok;
  }
  if (arg !== undefined) throw new UsageError(`unknown command "${verb}" ${seeHelp}`);
  const deck = decks.find((d) => d.name === verb);
  if (!deck) throw new UsageError(`unknown deck or command "${verb}" — the decks are ${decks.map((d) => d.name).join(', ')}; commands: build, export, test`);
  generateLabSlides(root, [deck]);
  const port = Number(process.env['SLIDES_PORT'] ?? '') || (await freePort());
  console.log(`presenting ${deck.name}: http://localhost:${port}/ · presenter: http://localhost:${port}/#/presenter/1 · Ctrl-C stops`);
  return presentDeck(root, deck, port);
}
