/**
 * The Chromium-family browser the slides gate, `pnpm slides export` and the doctor use: the one
 * SLIDES_CHROMIUM names, else the first found of the usual names on PATH, else the macOS app.
 * Never a browser that playwright downloads (no network in a room).
 */
import { findOnPath, isExecutable } from './tools.ts';

export const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'] as const;

export const MACOS_APPS = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
] as const;

export function findBrowser(env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = isExecutable): string | undefined {
  const named = env['SLIDES_CHROMIUM'];
  if (named) return exists(named) ? named : undefined;
  for (const name of BROWSER_NAMES) {
    const p = findOnPath(name, env['PATH'] ?? '', () => false, exists);
    if (p) return p;
  }
  return MACOS_APPS.find((p) => exists(p));
}
