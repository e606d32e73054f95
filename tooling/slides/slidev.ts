/** Runs the Slidev CLI (a devDependency) on the kit's Node for one deck: present, build, export. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../lab-engine/errors.ts';
import { findBrowser } from '../toolchain/browser.ts';
import { run, type RunResult } from '../lab-engine/process.ts';
import { deckEntry, type Deck } from './decks.ts';


export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

/** The machine's Chromium or Chrome (tooling/toolchain/browser.ts): never a downloaded one. */
export function requireChromium(): string {
  const found = findBrowser();
  if (found) return found;
  const named = process.env['SLIDES_CHROMIUM'];
  throw new UsageError(named ? `SLIDES_CHROMIUM=${named} is not an executable browser` : 'no Chromium or Chrome found — `npm run bootstrap` installs it (as root), or see `pnpm run doctor` for the line for your machine');
}

export function slidevBin(root: string): string {
  const bin = path.join(root, 'node_modules', '@slidev', 'cli', 'bin', 'slidev.mjs');
  if (!existsSync(bin)) throw new UsageError('Slidev is not installed — run `npm run bootstrap` (or `pnpm install`)');
  return bin;
}

/** Where everything `pnpm slides` writes: one folder, served as a site root. */
export function outDir(root: string): string {
  return path.join(root, 'dist', 'slides');
}

export function pdfPath(root: string, deck: Deck): string {
  return path.join(outDir(root), 'pdf', `${deck.name}.pdf`);
}

export function screenshotsDir(root: string): string {
  return path.join(root, 'dist', 'slides-screenshots');
}

export function buildDeck(root: string, deck: Deck): Promise<RunResult> {
  const out = path.join(outDir(root), deck.name);
  return run(process.execPath, [slidevBin(root), 'build', deckEntry(root, deck), '--out', out, '--base', `/${deck.name}/`], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    timeoutMs: 5 * 60_000,
  });
}

export function exportDeck(root: string, deck: Deck): Promise<RunResult> {
  const chromium = requireChromium();
  return run(
    process.execPath,
    [slidevBin(root), 'export', deckEntry(root, deck), '--output', pdfPath(root, deck), '--executable-path', chromium, '--timeout', '60000', '--wait', '300'],
    { cwd: root, timeoutMs: 5 * 60_000 },
  );
}

/** Presents a deck: Slidev's dev server in the foreground, until Ctrl-C. */
export function presentDeck(root: string, deck: Deck, port: number): Promise<number> {
  const child = spawn(process.execPath, [slidevBin(root), deckEntry(root, deck), '--port', String(port), '--open', 'false'], {
    cwd: root,
    stdio: 'inherit',
  });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve(code ?? 0));
    child.on('error', () => resolve(1));
  });
}
