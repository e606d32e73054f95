/**
 * Code in the guides cannot drift: a fenced block that follows an include marker
 *
 *     <!-- include: python/services/catalog/src/catalog/domain/money.py#class Money -->
 *     ```python
 *     ...
 *     ```
 *
 * must equal the lines the marker names. `checkDocs` reports every block that differs (the
 * `pnpm test` gate, through docs.test.ts); `syncDocs` rewrites the blocks from the files
 * (`pnpm run docs sync`; bare `pnpm docs` is a pnpm built-in). The anchor after `#` is one of:
 *
 * - nothing: the whole file;
 * - `class Name`, `def name`, `async def name`: that definition (with its decorators)
 *   up to the next line indented no deeper than it — anchoring on a symbol, not on line
 *   numbers, so edits elsewhere in the file do not break the guide; the block is dedented;
 * - Go: `func Name` (a function), `func Type.Name` (a method, value or pointer receiver),
 *   `type Name`, `var Name`, `const Name` (a top-level declaration): with its `//` doc comment,
 *   up to the closing `}` or `)` in column 0 when the first line opens one (past a `}{` that
 *   opens a composite literal's value, as in `var x = []struct{…}{…}`), else that line;
 * - protobuf: `message Name`, `service Name`, `enum Name` (a top-level definition): with its `//`
 *   comment lines, up to the closing `}` in column 0;
 * - `NAME` (a bare identifier): a top-level assignment `NAME = ...` / `NAME: T = ...` with the
 *   comment lines just above it, up to the next top-level line;
 * - `region name`: the lines between a `region name` comment and the next `endregion`;
 * - `L10-L33`: those lines (1-based, inclusive) — the last resort, it drifts when lines move.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Include {
  /** The markdown file, relative to the root. */
  readonly doc: string;
  /** 1-based line of the marker. */
  readonly line: number;
  /** The file the marker names, relative to the root. */
  readonly source: string;
  readonly anchor: string;
  /** 0-based index of the opening fence line, and of the closing one. */
  readonly open: number;
  readonly close: number;
  readonly actual: readonly string[];
}

export interface Problem {
  readonly doc: string;
  readonly line: number;
  readonly message: string;
}

const MARKER = /^\s*<!--\s*include:\s*([^#\s]+)(?:#(.+?))?\s*-->\s*$/;
const FENCE = /^(\s*)(`{3,}|~{3,})/;
const SYMBOL = /^(class|def|async def)\s+([A-Za-z_]\w*)$/;
const GO = /^(func|type|var|const)\s+(?:([A-Za-z_]\w*)\.)?([A-Za-z_]\w*)$/;
const PROTO = /^(message|service|enum)\s+([A-Za-z_]\w*)$/;
const LINES = /^L(\d+)(?:-L?(\d+))?$/;
const REGION = /^region\s+(\S+)$/;
const NAME = /^[A-Za-z_]\w*$/;

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function dedent(lines: string[]): string[] {
  const widths = lines.filter((l) => l.trim() !== '').map(indentOf);
  const cut = widths.length > 0 ? Math.min(...widths) : 0;
  return lines.map((l) => (l.trim() === '' ? '' : l.slice(cut)));
}

function trimBlank(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]?.trim() === '') start++;
  while (end > start && lines[end - 1]?.trim() === '') end--;
  return lines.slice(start, end);
}

/** The lines an anchor names in a file's text; throws an Error saying why when it names none. */
export function extract(text: string, anchor: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const spec = anchor.trim();
  if (spec === '') return lines;
  const range = LINES.exec(spec);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2] ?? range[1]);
    if (from < 1 || to < from || to > lines.length) {
      throw new Error(`lines ${from}-${to} are outside the file (${lines.length} lines)`);
    }
    return lines.slice(from - 1, to);
  }
  const region = REGION.exec(spec);
  if (region) {
    const name = region[1] ?? '';
    const begin = lines.findIndex((l) => new RegExp(`(#|//)\\s*region\\s+${escape(name)}\\s*$`).test(l));
    if (begin < 0) throw new Error(`no "region ${name}" comment`);
    const end = lines.findIndex((l, i) => i > begin && /(#|\/\/)\s*endregion\b/.test(l));
    if (end < 0) throw new Error(`region ${name} has no endregion`);
    return dedent(lines.slice(begin + 1, end));
  }
  const go = GO.exec(spec);
  if (go) return goDeclaration(lines, go[1] ?? '', go[2], go[3] ?? '');
  const proto = PROTO.exec(spec);
  if (proto) return protoDefinition(lines, proto[1] ?? '', proto[2] ?? '');
  const symbol = SYMBOL.exec(spec);
  if (symbol) {
    const kind = symbol[1] ?? '';
    const name = symbol[2] ?? '';
    const head = new RegExp(`^\\s*${kind.replace(' ', '\\s+')}\\s+${escape(name)}\\b`);
    const start = lines.findIndex((l) => head.test(l));
    if (start < 0) throw new Error(`no "${kind} ${name}" in the file`);
    const base = indentOf(lines[start] ?? '');
    let first = start;
    while (first > 0 && (lines[first - 1] ?? '').trimStart().startsWith('@') && indentOf(lines[first - 1] ?? '') === base) first--;
    let end = start + 1;
    for (; end < lines.length; end++) {
      const line = lines[end] ?? '';
      if (line.trim() === '') continue;
      if (indentOf(line) <= base && !/^[)\]}]/.test(line.trimStart())) break;
    }
    return dedent(trimBlank(lines.slice(first, end)));
  }
  if (NAME.test(spec)) {
    const head = new RegExp(`^${spec}\\s*(:|=)`);
    const start = lines.findIndex((l) => head.test(l));
    if (start < 0) throw new Error(`no top-level "${spec} =" in the file`);
    let first = start;
    while (first > 0 && /^#/.test(lines[first - 1] ?? '')) first--;
    let end = start + 1;
    while (end < lines.length && ((lines[end] ?? '') === '' ? false : /^[\s)\]}]/.test(lines[end] ?? ''))) end++;
    return lines.slice(first, end);
  }
  throw new Error(
    `unknown anchor "${spec}" (use "class Name", "def name", "func Name", "func Type.Name", "type Name", "message Name", "service Name", "enum Name", "NAME", "region name" or "L10-L33")`,
  );
}

/** A top-level protobuf message, service or enum with its `//` comment, up to its `}` in column 0. */
function protoDefinition(lines: string[], kind: string, name: string): string[] {
  const head = new RegExp(`^${kind}\\s+${name}\\s*\\{`);
  const start = lines.findIndex((l) => head.test(l));
  if (start < 0) throw new Error(`no top-level "${kind} ${name}" in the file`);
  let first = start;
  while (first > 0 && /^\/\//.test(lines[first - 1] ?? '')) first--;
  if (/\}\s*$/.test(lines[start] ?? '')) return lines.slice(first, start + 1);
  let end = start + 1;
  while (end < lines.length && !(lines[end] ?? '').startsWith('}')) end++;
  if (end >= lines.length) throw new Error(`"${kind} ${name}" is never closed`);
  return lines.slice(first, end + 1);
}

/** A top-level Go declaration with its doc comment; `receiver` set: a method of that type. */
function goDeclaration(lines: string[], kind: string, receiver: string | undefined, name: string): string[] {
  const head =
    receiver === undefined
      ? new RegExp(`^${kind}\\s+${name}\\b`)
      : new RegExp(`^func\\s*\\(\\s*(?:\\w+\\s+)?\\*?${receiver}(?:\\[[^\\]]*\\])?\\s*\\)\\s*${name}\\b`);
  const start = lines.findIndex((l) => head.test(l));
  const label = receiver === undefined ? `${kind} ${name}` : `func (${receiver}) ${name}`;
  if (start < 0) throw new Error(`no top-level "${label}" in the file`);
  let first = start;
  while (first > 0 && /^\/\//.test(lines[first - 1] ?? '')) first--;
  // A func runs to its closing brace (its signature may span lines); a one-line func ends there.
  const line = lines[start] ?? '';
  const opener = kind === 'func' ? (/\}\s*$/.test(line) ? undefined : '{') : /([{(])\s*$/.exec(line)?.[1];
  let end = start;
  if (opener !== undefined) {
    const closer = opener === '{' ? '}' : ')';
    // `}{` in column 0 closes a composite literal's type and opens its value
    // (`var x = []struct{…}{…}`): the declaration goes on to the next closing line.
    const closes = (l: string): boolean => l.startsWith(closer) && !/^[})\]]\s*\{\s*$/.test(l);
    while (end < lines.length && !closes(lines[end] ?? '')) end++;
    if (end >= lines.length) throw new Error(`"${label}" is never closed`);
  }
  return lines.slice(first, end + 1);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The include markers of one markdown text, each with the fenced block that follows it. */
export function findIncludes(doc: string, text: string): { includes: Include[]; problems: Problem[] } {
  const lines = text.split('\n');
  const includes: Include[] = [];
  const problems: Problem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = MARKER.exec(lines[i] ?? '');
    if (!marker) continue;
    let open = i + 1;
    while (open < lines.length && lines[open]?.trim() === '') open++;
    const fence = FENCE.exec(lines[open] ?? '');
    if (!fence) {
      problems.push({ doc, line: i + 1, message: 'an include marker must be followed by a fenced code block' });
      continue;
    }
    const ticks = fence[2] ?? '```';
    let close = open + 1;
    while (close < lines.length && !(lines[close] ?? '').trim().startsWith(ticks)) close++;
    if (close >= lines.length) {
      problems.push({ doc, line: open + 1, message: 'the fenced block after the include marker is never closed' });
      continue;
    }
    includes.push({
      doc,
      line: i + 1,
      source: marker[1] ?? '',
      anchor: (marker[2] ?? '').trim(),
      open,
      close,
      actual: lines.slice(open + 1, close),
    });
  }
  return { includes, problems };
}

/** Every markdown file under `dir` (relative paths from root), sorted. */
export function markdownFiles(root: string, dir = 'docs'): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    if (!existsSync(abs)) return;
    for (const entry of readdirSync(abs).sort()) {
      const child = path.join(rel, entry);
      if (statSync(path.join(root, child)).isDirectory()) walk(child);
      else if (entry.endsWith('.md')) found.push(child.split(path.sep).join('/'));
    }
  };
  walk(dir);
  return found;
}

function expected(root: string, include: Include): string[] {
  const file = path.join(root, include.source);
  if (!existsSync(file)) throw new Error(`${include.source} does not exist`);
  return extract(readFileSync(file, 'utf8'), include.anchor);
}

function where(include: Include): string {
  return include.anchor ? `${include.source}#${include.anchor}` : include.source;
}

/** Every block that differs from its source, or whose marker is broken. Empty: the guides are in sync. */
export function checkDocs(root: string, docs = markdownFiles(root)): Problem[] {
  const problems: Problem[] = [];
  for (const doc of docs) {
    const found = findIncludes(doc, readFileSync(path.join(root, doc), 'utf8'));
    problems.push(...found.problems);
    for (const include of found.includes) {
      let want: string[];
      try {
        want = expected(root, include);
      } catch (error) {
        problems.push({ doc, line: include.line, message: `${where(include)}: ${(error as Error).message}` });
        continue;
      }
      const differs = want.findIndex((l, i) => l !== include.actual[i]);
      const at = differs >= 0 ? differs : want.length !== include.actual.length ? Math.min(want.length, include.actual.length) : -1;
      if (at >= 0) {
        problems.push({
          doc,
          line: include.open + 2 + at,
          message: `the block differs from ${where(include)} (block line ${at + 1}: expected ${JSON.stringify(want[at] ?? '<end of block>')}); run pnpm run docs sync`,
        });
      }
    }
  }
  return problems;
}

/** Rewrite every included block from its source; returns the docs that changed and the markers that could not be resolved. */
export function syncDocs(root: string, docs = markdownFiles(root)): { changed: string[]; problems: Problem[] } {
  const changed: string[] = [];
  const problems: Problem[] = [];
  for (const doc of docs) {
    const file = path.join(root, doc);
    const text = readFileSync(file, 'utf8');
    const found = findIncludes(doc, text);
    problems.push(...found.problems);
    const lines = text.split('\n');
    // From the last block to the first, so earlier indices stay valid.
    for (const include of [...found.includes].reverse()) {
      try {
        lines.splice(include.open + 1, include.close - include.open - 1, ...expected(root, include));
      } catch (error) {
        problems.push({ doc, line: include.line, message: `${where(include)}: ${(error as Error).message}` });
      }
    }
    const next = lines.join('\n');
    if (next !== text) {
      writeFileSync(file, next);
      changed.push(doc);
    }
  }
  return { changed, problems };
}

export function formatProblem(problem: Problem): string {
  return `${problem.doc}:${problem.line}: ${problem.message}`;
}

/**
 * Every file whose include markers are checked: the guides under docs/, and each deck's
 * slides.md and lab teaching slides (slides/<deck>/labs/lab-N.md) — decks quote code the same way.
 */
export function docTargets(root: string): string[] {
  const slides = path.join(root, 'slides');
  const decks = existsSync(slides) ? readdirSync(slides).sort() : [];
  const labSlides = (deck: string): string[] => {
    const dir = path.join(slides, deck, 'labs');
    return existsSync(dir) ? readdirSync(dir).filter((f) => /^lab-\d+\.md$/.test(f)).sort().map((f) => `slides/${deck}/labs/${f}`) : [];
  };
  const deckFiles = decks.flatMap((d) => [`slides/${d}/slides.md`, ...labSlides(d)]).filter((f) => existsSync(path.join(root, f)));
  return [...markdownFiles(root), ...deckFiles];
}
