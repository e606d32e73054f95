/**
 * `pnpm slides test` (the `slides: build + browser` gate of `pnpm test`): builds every deck,
 * scans the site for external URLs, serves it on 127.0.0.1, and drives Debian's Chromium
 * through EVERY slide of every deck; checks the lab links both ways; exports one deck to PDF.
 * Prints one line per check and `N passed, N failed`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { load } from '@slidev/parser/fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { availableDecks, deckDir, deckEntry, deckOfLab, generateLabSlides, labFolders, type Deck } from './decks.ts';
import { serveStatic } from './server.ts';
import { copyLabReadmes, findExternalUrls, writeIndex } from './site.ts';
import { buildDeck, CHROMIUM_ARGS, exportDeck, outDir, pdfPath, requireChromium, screenshotsDir } from './slidev.ts';

export interface Finding {
  readonly ok: boolean;
  readonly name: string;
  readonly detail: string;
}

export interface DeckSlide {
  /** 1-based, as in the `#/N` route. */
  readonly no: number;
  readonly layout: string;
  readonly routeAlias: string | undefined;
  readonly note: string;
  readonly title: string;
}

/** The slides of a deck as Slidev parses them (`src:` imports followed). */
export async function deckSlides(root: string, deck: Deck): Promise<DeckSlide[]> {
  const userRoot = deckDir(root, deck);
  const data = await load({ roots: [userRoot], userRoot, allowedRoots: [root] }, deckEntry(root, deck));
  return data.slides.map((slide, i) => {
    const fm = slide.frontmatter as Record<string, unknown>;
    return {
      no: i + 1,
      layout: typeof fm['layout'] === 'string' ? fm['layout'] : i === 0 ? 'cover' : 'default',
      routeAlias: typeof fm['routeAlias'] === 'string' ? fm['routeAlias'] : undefined,
      note: (slide.note ?? '').trim(),
      title: slide.title ?? '',
    };
  });
}

/** Layouts that are not teaching slides (no presenter notes required). */
const NON_TEACHING = new Set(['cover', 'section', 'end', 'intro']);

/** The relative href of a lab link resolved as the deck source sees it: `labs/NN-slug/README.md`, or null when it is not one. */
export function labReadmeOf(href: string): string | null {
  const m = /^(?:\.\.\/\.\.\/)(labs\/\d{2}-[a-z0-9-]+\/README\.md)$/.exec(href);
  return m?.[1] ?? null;
}

/** The deck a lab README must link back to: `slides/<deck>/slides.md#lab-N`. */
export function deckAnchor(deck: Deck, lab: number): string {
  return `slides/${deck.name}/slides.md#lab-${lab}`;
}

/** Repository checks that need no browser: notes, lab slides per lab, README back-links, manifest deck fields. */
export async function sourceFindings(root: string, decks: readonly Deck[]): Promise<{ findings: Finding[]; slides: Map<string, DeckSlide[]> }> {
  const findings: Finding[] = [];
  const slides = new Map<string, DeckSlide[]>();
  for (const deck of decks) {
    const list = await deckSlides(root, deck);
    slides.set(deck.name, list);
    const silent = list.filter((s) => !NON_TEACHING.has(s.layout) && s.note.length === 0);
    findings.push({
      ok: silent.length === 0,
      name: `${deck.name}: presenter notes on every teaching slide`,
      detail: silent.length ? `no notes on slide ${silent.map((s) => s.no).join(', ')}` : `${list.length} slides`,
    });
  }
  for (const lab of labFolders(root)) {
    const deck = deckOfLab(lab.number);
    const name = `lab ${lab.number}`;
    if (!deck) {
      findings.push({ ok: false, name: `${name}: belongs to a deck`, detail: `no deck takes lab number ${lab.number}` });
      continue;
    }
    const alias = (slides.get(deck.name) ?? []).find((s) => s.routeAlias === `lab-${lab.number}`);
    findings.push({ ok: Boolean(alias), name: `${name}: has its slide #/lab-${lab.number} in ${deck.name}`, detail: alias ? `slide ${alias.no}` : 'missing' });
    const anchor = deckAnchor(deck, lab.number);
    const readme = readFileSync(path.join(root, 'labs', lab.slug, 'README.md'), 'utf8');
    const linksBack = readme.includes(`](../../${anchor})`);
    findings.push({ ok: linksBack, name: `${name}: README links back to its deck slide`, detail: linksBack ? anchor : `add a link to ../../${anchor} in labs/${lab.slug}/README.md` });
    const manifest = path.join(root, 'labs', lab.slug, 'lab.ts');
    const field = existsSync(manifest) ? /deck:\s*['"`]([^'"`]+)['"`]/.exec(readFileSync(manifest, 'utf8'))?.[1] : undefined;
    findings.push({ ok: field === anchor, name: `${name}: lab.ts deck field`, detail: field === anchor ? anchor : `is ${field ?? 'missing'}, want '${anchor}'` });
  }
  return { findings, slides };
}

interface PageWatch {
  problems: string[];
}

function watchPage(page: Page, base: string): PageWatch {
  const watch: PageWatch = { problems: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') watch.problems.push(`console error: ${msg.text().slice(0, 200)}`);
  });
  page.on('pageerror', (error) => watch.problems.push(`page error: ${error.message.slice(0, 200)}`));
  page.on('requestfailed', (req) => {
    if (req.url().startsWith(base)) watch.problems.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? ''})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) watch.problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return watch;
}

async function visitDeck(browser: Browser, base: string, root: string, deck: Deck, slides: readonly DeckSlide[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const external: string[] = [];
  // Nothing may leave 127.0.0.1: record and abort anything else before it is sent.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    external.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const watch = watchPage(page, base);
  const blank: number[] = [];
  const broken: string[] = [];
  const labLinks = new Map<string, string>();
  await page.goto(`${base}/${deck.name}/#/1`, { waitUntil: 'load' });
  for (const slide of slides) {
    await page.goto(`${base}/${deck.name}/#/${slide.no}`);
    const selector = `.slidev-page-${slide.no}`;
    try {
      await page.locator(selector).first().waitFor({ state: 'visible', timeout: 10_000 });
      // Mermaid renders after the slide shows: wait for its SVG (or its error).
      if ((await page.locator(`${selector} .mermaid`).count()) > 0) {
        await page.locator(`${selector} .mermaid svg`).first().waitFor({ state: 'attached', timeout: 10_000 });
      }
      // A slide can be visible a moment before Vue fills it (seen on a loaded machine): wait
      // for text or media to appear rather than judging the first frame.
      await page.waitForFunction(
        `(() => { const el = document.querySelector(${JSON.stringify(selector)}); return !!el && (el.innerText.trim().length > 0 || el.querySelectorAll('svg, img, canvas').length > 0); })()`,
        undefined,
        { timeout: 10_000 },
      );
    } catch {
      blank.push(slide.no);
      continue;
    }
    const content = await page.locator(selector).first().evaluate((el) => ({
      text: (el as unknown as { innerText: string }).innerText.trim(),
      media: el.querySelectorAll('svg, img, canvas').length,
      links: [...el.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? ''),
      mermaidError: /Syntax error in text|Parse error/i.test((el as unknown as { innerText: string }).innerText),
    }));
    if (content.text.length === 0 && content.media === 0) blank.push(slide.no);
    if (content.mermaidError) broken.push(`slide ${slide.no}: Mermaid could not parse its diagram`);
    for (const href of content.links.filter((h) => /labs\//.test(h))) labLinks.set(href, `slide ${slide.no}`);
    if (slide.no === 1) {
      mkdirSync(screenshotsDir(root), { recursive: true });
      await page.screenshot({ path: path.join(screenshotsDir(root), `${deck.name}.png`) });
    }
  }
  findings.push({ ok: blank.length === 0 && broken.length === 0, name: `${deck.name}: every slide shows content`, detail: blank.length || broken.length ? [...blank.map((n) => `slide ${n} blank`), ...broken].join('; ') : `${slides.length} slides` });

  // Every lab link resolves to a lab README in the repository, and the built site serves its copy.
  const bad: string[] = [];
  for (const [href, where] of labLinks) {
    const readme = labReadmeOf(href);
    if (!readme || !existsSync(path.join(root, readme))) {
      bad.push(`${where}: ${href}`);
      continue;
    }
    const served = await page.request.get(new URL(href, `${base}/${deck.name}/`).href);
    if (served.status() !== 200) bad.push(`${where}: ${href} is HTTP ${served.status()} in the site`);
  }
  findings.push({ ok: bad.length === 0, name: `${deck.name}: lab links resolve to labs/NN-slug/README.md`, detail: bad.length ? bad.join('; ') : `${labLinks.size} link(s)` });

  // Deep links: #/lab-N lands on the slide that links lab N.
  for (const slide of slides.filter((s) => s.routeAlias?.startsWith('lab-'))) {
    const n = slide.routeAlias?.slice(4) ?? '';
    await page.goto(`${base}/${deck.name}/#/${slide.routeAlias ?? ''}`);
    const link = page.locator(`.slidev-page-${slide.no} a[data-lab="${n}"]`);
    let ok = true;
    try {
      await link.first().waitFor({ state: 'visible', timeout: 10_000 });
    } catch {
      ok = false;
    }
    findings.push({ ok, name: `${deck.name}: #/lab-${n} shows lab ${n}'s slide`, detail: ok ? `slide ${slide.no}` : 'the link to the lab is not visible there' });
  }
  // Presenter mode: the current slide with its notes.
  let notes = '';
  try {
    await page.goto(`${base}/${deck.name}/#/presenter/1`);
    await page.locator('.slidev-presenter .slidev-note').first().waitFor({ state: 'visible', timeout: 10_000 });
    notes = (await page.locator('.slidev-presenter .slidev-note').first().innerText()).trim();
  } catch {
    notes = '';
  }
  findings.push({ ok: notes.length > 0, name: `${deck.name}: presenter mode shows the notes`, detail: notes ? `#/presenter/1: "${notes.slice(0, 30)}…"` : 'no notes visible at #/presenter/1' });
  findings.push({ ok: watch.problems.length === 0, name: `${deck.name}: no console error, no failed request`, detail: watch.problems.length ? [...new Set(watch.problems)].slice(0, 5).join('; ') : 'none' });
  findings.push({ ok: external.length === 0, name: `${deck.name}: no request leaves 127.0.0.1`, detail: external.length ? [...new Set(external)].slice(0, 5).join(', ') : 'none' });
  await context.close();
  return findings;
}

/**
 * Number of pages in a PDF: its page objects (`/Type /Page`), looked for in the file and inside
 * its compressed object streams (Slidev saves with pdf-lib, which packs objects into streams).
 */
export function pdfPageCount(pdf: Buffer): number {
  const parts = [pdf.toString('latin1')];
  const bytes = pdf.toString('latin1');
  for (const m of bytes.matchAll(/\/Type\s*\/ObjStm[^]*?stream\r?\n/g)) {
    const start = (m.index ?? 0) + m[0].length;
    const end = bytes.indexOf('endstream', start);
    if (end < 0) continue;
    try {
      parts.push(inflateSync(pdf.subarray(start, end)).toString('latin1'));
    } catch {
      // Not a Flate stream: nothing to count in it.
    }
  }
  return parts.join('\n').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
}

async function inPool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        const item = items[i];
        if (item !== undefined) results[i] = await work(item);
      }
    }),
  );
  return results;
}

export async function runSlidesTest(root: string, onFinding: (f: Finding) => void, options: { exportDeck?: string } = {}): Promise<Finding[]> {
  const all: Finding[] = [];
  const add = (f: Finding): void => {
    all.push(f);
    onFinding(f);
  };
  const chromiumPath = requireChromium();
  const decks = availableDecks(root);
  generateLabSlides(root, decks);
  const { findings, slides } = await sourceFindings(root, decks);
  findings.forEach(add);

  rmSync(outDir(root), { recursive: true, force: true });
  const built = await inPool(decks, 2, async (deck) => ({ deck, result: await buildDeck(root, deck) }));
  for (const { deck, result } of built) {
    const ok = result.code === 0;
    add({ ok, name: `${deck.name}: builds`, detail: ok ? `${(result.ms / 1000).toFixed(1)} s` : (result.stdout + result.stderr).trim().split('\n').slice(-8).join(' | ') });
  }
  copyLabReadmes(root);
  writeIndex(root);
  const external = findExternalUrls(outDir(root));
  add({ ok: external.length === 0, name: 'site: no external URL in the built output', detail: external.length ? external.slice(0, 5).map((e) => `${e.file}: ${e.url}`).join('; ') : 'none' });

  const server = await serveStatic(outDir(root));
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...CHROMIUM_ARGS], headless: true });
  try {
    const index = await browser.newPage();
    await index.goto(`${server.url}/`);
    const listed = await index.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    const missing = built.filter((b) => b.result.code === 0 && !listed.includes(`${b.deck.name}/`)).map((b) => b.deck.name);
    add({ ok: missing.length === 0, name: 'site: index.html links every deck', detail: missing.length ? `missing: ${missing.join(', ')}` : `${decks.length} decks` });
    await index.close();
    for (const { deck, result } of built) {
      if (result.code !== 0) continue;
      for (const f of await visitDeck(browser, server.url, root, deck, slides.get(deck.name) ?? [])) add(f);
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const pdfDeck = decks.find((d) => d.name === (options.exportDeck ?? 'kickoff'));
  if (pdfDeck) {
    const result = await exportDeck(root, pdfDeck);
    const file = pdfPath(root, pdfDeck);
    const want = slides.get(pdfDeck.name)?.length ?? 0;
    const pages = existsSync(file) ? pdfPageCount(readFileSync(file)) : 0;
    const ok = result.code === 0 && existsSync(file) && statSync(file).size > 0 && pages === want;
    add({
      ok,
      name: `${pdfDeck.name}: PDF export has one page per slide`,
      detail: result.code !== 0 ? (result.stdout + result.stderr).trim().split('\n').slice(-5).join(' | ') : `${pages} page(s) for ${want} slide(s), ${(result.ms / 1000).toFixed(1)} s`,
    });
    writeIndex(root);
  }
  return all;
}
