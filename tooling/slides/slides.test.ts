import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { deckAnchor, labReadmeOf, pdfPageCount } from './check.ts';
import { DECKS, deckOfLab, labFolders, labSlidesMarkdown } from './decks.ts';
import { serveStatic } from './server.ts';
import { findExternalUrls, scanText } from './site.ts';

const temps: string[] = [];
function temp(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'slides-test-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function lab(root: string, slug: string, title?: string): void {
  mkdirSync(path.join(root, 'labs', slug), { recursive: true });
  writeFileSync(path.join(root, 'labs', slug, 'README.md'), `# Lab ${Number(slug.slice(0, 2))} — Heading of ${slug}\n\ntext\n`);
  if (title) writeFileSync(path.join(root, 'labs', slug, 'lab.ts'), `export default defineLab({\n  title: '${title}',\n});\n`);
}

describe('decks and labs', () => {
  it('assigns labs to decks by number: python 1-5, go 6-10, polyglot 11-16', () => {
    expect(deckOfLab(1)?.name).toBe('python');
    expect(deckOfLab(5)?.name).toBe('python');
    expect(deckOfLab(6)?.name).toBe('go');
    expect(deckOfLab(10)?.name).toBe('go');
    expect(deckOfLab(11)?.name).toBe('polyglot');
    expect(deckOfLab(16)?.name).toBe('polyglot');
    expect(deckOfLab(17)).toBeUndefined();
  });

  it('finds lab folders with a README; title from the manifest, else the README heading', () => {
    const root = temp();
    lab(root, '01-typed-crud', 'Typed CRUD');
    lab(root, '02-async-fanout');
    mkdirSync(path.join(root, 'labs', '03-no-readme'), { recursive: true });
    mkdirSync(path.join(root, 'labs', 'notes'), { recursive: true });
    expect(labFolders(root)).toEqual([
      { number: 1, slug: '01-typed-crud', title: 'Typed CRUD' },
      { number: 2, slug: '02-async-fanout', title: 'Heading of 02-async-fanout' },
    ]);
  });

  it('generates one lab slide per existing lab, with its route alias, card and notes', () => {
    const root = temp();
    lab(root, '01-typed-crud', 'Typed CRUD');
    lab(root, '06-go-crud', 'Go CRUD');
    const python = DECKS.find((d) => d.name === 'python');
    if (!python) throw new Error('no python deck');
    const md = labSlidesMarkdown(root, python);
    expect(md).toContain('routeAlias: lab-1');
    expect(md).toContain('<LabCard :n="1" slug="01-typed-crud" />');
    expect(md).toMatch(/<!--[^]*pnpm lab 1 reset[^]*-->/);
    expect(md).not.toContain('lab-6');
    // A hand-written teaching section comes first when it exists.
    mkdirSync(path.join(root, 'slides', 'python', 'labs'), { recursive: true });
    writeFileSync(path.join(root, 'slides', 'python', 'labs', 'lab-1.md'), '# x\n');
    expect(labSlidesMarkdown(root, python).indexOf('src: ./labs/lab-1.md')).toBeLessThan(labSlidesMarkdown(root, python).indexOf('routeAlias: lab-1'));
  });

  it('gives a deck with no lab yet a placeholder slide', () => {
    const root = temp();
    mkdirSync(path.join(root, 'labs'));
    const go = DECKS.find((d) => d.name === 'go');
    if (!go) throw new Error('no go deck');
    expect(labSlidesMarkdown(root, go)).toContain('Labs 6-10 of this module arrive');
  });

  it('maps lab links and anchors', () => {
    expect(labReadmeOf('../../labs/01-typed-crud/README.md')).toBe('labs/01-typed-crud/README.md');
    expect(labReadmeOf('#/labs/01-typed-crud/README.md')).toBeNull();
    expect(labReadmeOf('../../labs/01-typed-crud/')).toBeNull();
    const python = DECKS.find((d) => d.name === 'python');
    if (!python) throw new Error('no python deck');
    expect(deckAnchor(python, 1)).toBe('slides/python/slides.md#lab-1');
  });
});

describe('offline scan', () => {
  it('flags external src/href, CSS url()/@import and CDN hosts; ignores data: URIs and XML namespaces', () => {
    expect(scanText('a.html', '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=X">', '.html').length).toBeGreaterThan(0);
    expect(scanText('a.html', '<script src="//cdn.example.org/x.js"></script>', '.html')).toEqual([{ file: 'a.html', url: '//cdn.example.org/x.js' }]);
    expect(scanText('a.html', '<img src="/python/assets/x.png"><link rel="icon" href="data:image/svg+xml,%3Csvg xmlns=\'http://www.w3.org/2000/svg\'">', '.html')).toEqual([]);
    expect(scanText('a.css', '@import "https://example.org/x.css"; .a { background: url(https://example.org/i.png) }', '.css')).toHaveLength(2);
    expect(scanText('a.js', 'const ns = "http://www.w3.org/2000/svg"; const doc = "https://github.com/x";', '.js')).toEqual([]);
    expect(scanText('a.js', 'fetch("https://cdn.jsdelivr.net/npm/x")', '.js')).toHaveLength(1);
  });

  it('walks a folder', () => {
    const dir = temp();
    mkdirSync(path.join(dir, 'deck', 'assets'), { recursive: true });
    writeFileSync(path.join(dir, 'deck', 'index.html'), '<script src="/deck/assets/a.js"></script>');
    writeFileSync(path.join(dir, 'deck', 'assets', 'a.css'), 'a { background: url("https://example.org/x.png") }');
    writeFileSync(path.join(dir, 'deck', 'assets', 'x.png'), 'https://example.org binary is not scanned');
    expect(findExternalUrls(dir)).toEqual([{ file: path.join('deck', 'assets', 'a.css'), url: 'https://example.org/x.png' }]);
  });
});

describe('pdf page count', () => {
  it('counts page objects, also inside compressed object streams', () => {
    const plain = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Pages /Count 2 >>\n2 0 obj << /Type /Page >>\n3 0 obj << /Type /Page >>\n', 'latin1');
    expect(pdfPageCount(plain)).toBe(2);
    const packed = deflateSync(Buffer.from('<< /Type /Page /Parent 1 0 R >> << /Type /Page >> << /Type /Page >> << /Type /Pages /Count 3 >>'));
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n5 0 obj\n<< /Type /ObjStm /N 4 /Filter /FlateDecode >>\nstream\n', 'latin1'), packed, Buffer.from('\nendstream\nendobj\n', 'latin1')]);
    expect(pdfPageCount(pdf)).toBe(3);
  });
});

describe('static server', () => {
  it('serves files and index.html on 127.0.0.1, 404s the rest, refuses to leave its folder', async () => {
    const dir = temp();
    mkdirSync(path.join(dir, 'deck'));
    writeFileSync(path.join(dir, 'deck', 'index.html'), '<p>hi</p>');
    writeFileSync(path.join(dir, 'notes.md'), '# notes');
    const server = await serveStatic(dir);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const index = await fetch(`${server.url}/deck/`);
      expect(index.status).toBe(200);
      expect(await index.text()).toBe('<p>hi</p>');
      expect((await fetch(`${server.url}/deck`, { redirect: 'manual' })).status).toBe(301);
      expect((await fetch(`${server.url}/notes.md`)).headers.get('content-type')).toContain('text/plain');
      expect((await fetch(`${server.url}/missing.js`)).status).toBe(404);
      expect((await fetch(`${server.url}/%2e%2e/%2e%2e/etc/passwd`)).status).not.toBe(200);
    } finally {
      await server.close();
    }
  });
});
