/**
 * The built site around the decks (dist/slides/): the index page, the lab READMEs the lab
 * slides link to, and the offline scan of everything in it.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { availableDecks, labFolders, type Deck } from './decks.ts';
import { outDir, pdfPath } from './slidev.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** dist/slides/index.html: every deck built so far, and its PDF when there is one. */
export function writeIndex(root: string): string {
  const out = outDir(root);
  mkdirSync(out, { recursive: true });
  const rows = availableDecks(root)
    .filter((deck) => existsSync(path.join(out, deck.name, 'index.html')))
    .map((deck: Deck) => {
      const pdf = existsSync(pdfPath(root, deck)) ? ` · <a href="pdf/${deck.name}.pdf">PDF</a>` : '';
      return `    <li><a href="${deck.name}/">${escapeHtml(deck.title)}</a> · <a href="${deck.name}/#/presenter/1">presenter</a>${pdf}</li>`;
    });
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Language Tracks · decks</title>
  <style>body { font-family: sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.6; color: #1d2d35 } a { color: #2a9d8f }</style>
</head>
<body>
  <h1>Language Tracks · decks</h1>
  <ul>
${rows.join('\n')}
  </ul>
  <p>Serve this folder from any static server (the decks use hash URLs: <code>python/#/lab-1</code> is lab 1's slide).</p>
</body>
</html>
`;
  const file = path.join(out, 'index.html');
  writeFileSync(file, html);
  return file;
}

/** Copies every lab README to dist/slides/labs/NN-slug/README.md, where the lab slides' relative links point. */
export function copyLabReadmes(root: string): void {
  for (const lab of labFolders(root)) {
    const target = path.join(outDir(root), 'labs', lab.slug);
    mkdirSync(target, { recursive: true });
    copyFileSync(path.join(root, 'labs', lab.slug, 'README.md'), path.join(target, 'README.md'));
  }
}

/** Hosts that serve fonts or scripts to pages: any mention of one in the built site is a finding. */
const CDN_HOSTS = [
  'fonts.googleapis.com',
  'fonts.gstatic.com',
  'api.fonts.coollabs.io',
  'cdn.jsdelivr.net',
  'unpkg.com',
  'esm.sh',
  'cdnjs.cloudflare.com',
  'esm.run',
];

export interface ExternalUrl {
  /** Path relative to the scanned folder. */
  readonly file: string;
  readonly url: string;
}

const EXTERNAL = /^(?:https?:)?\/\//i;

/** External URLs a built page would load: HTML src/href/poster attributes, CSS url()/@import, and CDN hosts anywhere. */
export function findExternalUrls(dir: string): ExternalUrl[] {
  const found: ExternalUrl[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      const ext = path.extname(entry.name);
      if (!['.html', '.css', '.js', '.mjs', '.json', '.svg', '.webmanifest'].includes(ext)) continue;
      const file = path.relative(dir, full);
      found.push(...scanText(file, readFileSync(full, 'utf8'), ext));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

export function scanText(file: string, text: string, ext: string): ExternalUrl[] {
  const found = new Set<string>();
  if (ext === '.html' || ext === '.svg') {
    for (const m of text.matchAll(/\s(?:src|href|poster|srcset|data)\s*=\s*["']?([^"'\s>]+)/gi)) {
      const url = m[1] ?? '';
      if (EXTERNAL.test(url)) found.add(url);
    }
  }
  if (ext === '.css' || ext === '.html') {
    for (const m of text.matchAll(/url\(\s*["']?([^"')\s]+)|@import\s+["']([^"']+)/gi)) {
      const url = m[1] ?? m[2] ?? '';
      if (EXTERNAL.test(url)) found.add(url);
    }
  }
  for (const host of CDN_HOSTS) {
    const at = text.indexOf(host);
    if (at >= 0) found.add(text.slice(Math.max(0, at - 8), at + host.length + 40).replace(/\s+/g, ' '));
  }
  return [...found].map((url) => ({ file, url }));
}
