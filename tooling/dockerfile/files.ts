/** Where the kit's Dockerfiles are: every `Dockerfile` (or `*.Dockerfile`, `Dockerfile.*`) under python/ and go/. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const SKIP = new Set(['node_modules', 'vendor', 'testdata', '__pycache__']);

export function isDockerfileName(name: string): boolean {
  if (name.endsWith('.dockerignore')) return false;
  return name === 'Dockerfile' || name.endsWith('.Dockerfile') || name.startsWith('Dockerfile.');
}

/** Repository-relative paths, sorted. */
export function kitDockerfiles(root: string, tops: readonly string[] = ['python', 'go']): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIP.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && isDockerfileName(entry.name)) found.push(path.relative(root, full));
    }
  };
  for (const top of tops) if (existsSync(path.join(root, top))) walk(path.join(root, top));
  return found.sort();
}
