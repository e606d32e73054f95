import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDocs, docTargets, extract, formatProblem, markdownFiles, syncDocs } from './includes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the guides under docs/', () => {
  it('exist, and every included code block equals the code it names', () => {
    expect(markdownFiles(root).length).toBeGreaterThanOrEqual(3);
    expect(checkDocs(root, docTargets(root)).map(formatProblem)).toEqual([]);
  });
});

// The polyglot deck marks its excerpts the same way (an HTML comment mid-slide is not a
// presenter note): its code cannot drift either. Repair: syncDocs(root, [DECK]).
const DECK = 'slides/polyglot/slides.md';

describe(`the deck ${DECK}`, () => {
  it('has included code blocks, each equal to the code it names', () => {
    expect(readFileSync(path.join(root, DECK), 'utf8')).toContain('<!-- include: ');
    expect(checkDocs(root, [DECK]).map(formatProblem)).toEqual([]);
  });
});

const PY = [
  '"""A module."""',
  '',
  'import x',
  '',
  '',
  'class Money(Base):',
  '    """Docs."""',
  '',
  '    amount: int',
  '',
  '    def add(',
  '        self, other: int',
  '    ) -> int:',
  '        return self.amount + other',
  '',
  '',
  '@decorator',
  'async def fetch(',
  '    product_id: str,',
  ') -> None:',
  '    # region body',
  '    await go()',
  '    # endregion',
  '',
  '',
  'TAIL = 1',
].join('\n');

describe('extract', () => {
  it('takes a class up to the next top-level line', () => {
    expect(extract(PY, 'class Money')).toEqual(PY.split('\n').slice(5, 14));
  });
  it('takes a method, dedented, across a multi-line signature', () => {
    expect(extract(PY, 'def add')).toEqual(['def add(', '    self, other: int', ') -> int:', '    return self.amount + other']);
  });
  it('takes an async def with its decorator and a closing parenthesis at its own indent', () => {
    expect(extract(PY, 'async def fetch')).toEqual(PY.split('\n').slice(16, 23));
  });
  it('takes a top-level assignment', () => {
    expect(extract(PY, 'TAIL')).toEqual(['TAIL = 1']);
  });
  it('takes a region, dedented, and line ranges', () => {
    expect(extract(PY, 'region body')).toEqual(['await go()']);
    expect(extract(PY, 'L3-L3')).toEqual(['import x']);
    expect(extract(PY, '')).toHaveLength(26);
  });
  it('says why when the anchor names nothing', () => {
    expect(() => extract(PY, 'class Nope')).toThrow(/no "class Nope"/);
    expect(() => extract(PY, 'L20-L99')).toThrow(/outside the file/);
    expect(() => extract(PY, 'NOPE')).toThrow(/no top-level "NOPE ="/);
    expect(() => extract(PY, 'two words')).toThrow(/unknown anchor/);
  });
});

const GO_SRC = [
  'package fanout',
  '',
  '// ErrGone is a sentinel.',
  'var ErrGone = errors.New("gone")',
  '',
  '// Policy bounds a fan-out.',
  'type Policy struct {',
  '\tDeadline time.Duration',
  '}',
  '',
  'const (',
  '\tA = 1',
  ')',
  '',
  '// Fetch asks every upstream.',
  '// It returns by the deadline.',
  'func (a *Aggregator) Fetch(',
  '\tctx context.Context,',
  ') Details {',
  '\tif ok {',
  '\t\treturn Details{}',
  '\t}',
  '\treturn Details{}',
  '}',
  '',
  '// Error returns the text.',
  'func (e ValidationError) Error() string { return e.Field }',
  '',
  '// New builds one.',
  'func New() *Aggregator {',
  '\treturn nil',
  '}',
].join('\n');

describe('extract, Go', () => {
  const at = (from: number, to: number): string[] => GO_SRC.split('\n').slice(from - 1, to);
  it('takes a function, and a method by Type.Name, with the doc comment, up to the closing brace', () => {
    expect(extract(GO_SRC, 'func New')).toEqual(at(29, 32));
    expect(extract(GO_SRC, 'func Aggregator.Fetch')).toEqual(at(15, 24));
    expect(extract(GO_SRC, 'func ValidationError.Error')).toEqual(at(26, 27));
  });
  it('takes a type and a var, with the doc comment', () => {
    expect(extract(GO_SRC, 'type Policy')).toEqual(at(6, 9));
    expect(extract(GO_SRC, 'var ErrGone')).toEqual(at(3, 4));
  });
  it('takes a composite-literal var past its `}{` line, up to the closing brace', () => {
    const src = ['// table maps errors.', 'var table = []struct {', '\terr error', '}{', '\t{errA},', '}', '', 'const x = 1'].join('\n');
    expect(extract(src, 'var table')).toEqual(src.split('\n').slice(0, 6));
  });
  it('does not take a method for a function, and says why', () => {
    expect(() => extract(GO_SRC, 'func Fetch')).toThrow(/no top-level "func Fetch"/);
    expect(() => extract(GO_SRC, 'func Policy.Fetch')).toThrow(/no top-level "func \(Policy\) Fetch"/);
  });
});

const PROTO_SRC = [
  '// The contract.',
  'syntax = "proto3";',
  '',
  '// Svc does things.',
  'service Svc {',
  '  // Do does one.',
  '  rpc Do(Req) returns (Resp);',
  '}',
  '',
  '// Req asks.',
  '// Two lines of comment.',
  'message Req {',
  '  // A nested message is not top-level.',
  '  message Inner {',
  '    string x = 1;',
  '  }',
  '  string user_id = 1;',
  '}',
  '',
  'message Empty {}',
  '',
  '// Kind is an enum.',
  'enum Kind {',
  '  KIND_UNSPECIFIED = 0;',
  '}',
].join('\n');

describe('extract, protobuf', () => {
  const at = (from: number, to: number): string[] => PROTO_SRC.split('\n').slice(from - 1, to);
  it('takes a service, a message and an enum with their comments, up to the closing brace in column 0', () => {
    expect(extract(PROTO_SRC, 'service Svc')).toEqual(at(4, 8));
    expect(extract(PROTO_SRC, 'message Req')).toEqual(at(10, 18));
    expect(extract(PROTO_SRC, 'enum Kind')).toEqual(at(22, 25));
  });
  it('takes a one-line definition, and not a nested one', () => {
    expect(extract(PROTO_SRC, 'message Empty')).toEqual(['message Empty {}']);
    expect(() => extract(PROTO_SRC, 'message Inner')).toThrow(/no top-level "message Inner"/);
    expect(() => extract(PROTO_SRC, 'enum Req')).toThrow(/no top-level "enum Req"/);
  });
});

describe('check and sync', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function fixture(block: string): string {
    dir = mkdtempSync(path.join(tmpdir(), 'docs-'));
    mkdirSync(path.join(dir, 'src'));
    mkdirSync(path.join(dir, 'docs'));
    writeFileSync(path.join(dir, 'src', 'money.py'), PY);
    const doc = ['# Guide', '', '<!-- include: src/money.py#def add -->', '```python', block, '```', '', 'after'].join('\n');
    writeFileSync(path.join(dir, 'docs', 'guide.md'), doc);
    return dir;
  }

  it('fails on a block that drifted, naming the doc line and the source, and sync repairs it', () => {
    const at = fixture(['def add(', '    self, other: int', ') -> int:', '    return self.amount - other'].join('\n'));
    const problems = checkDocs(at);
    expect(problems).toHaveLength(1);
    expect(formatProblem(problems[0]!)).toMatch(/^docs\/guide\.md:8: the block differs from src\/money\.py#def add/);
    expect(syncDocs(at).changed).toEqual(['docs/guide.md']);
    expect(checkDocs(at)).toEqual([]);
    expect(readFileSync(path.join(at, 'docs', 'guide.md'), 'utf8')).toContain('    return self.amount + other\n```\n\nafter');
  });

  it('fails on a block with lines missing, and on a marker whose symbol is gone', () => {
    const at = fixture('def add(');
    expect(checkDocs(at)).toHaveLength(1);
    writeFileSync(path.join(at, 'src', 'money.py'), PY.replace('def add', 'def plus'));
    expect(checkDocs(at).map(formatProblem)).toEqual(['docs/guide.md:3: src/money.py#def add: no "def add" in the file']);
  });

  it('fails on a marker with no fenced block after it', () => {
    const at = fixture('x');
    writeFileSync(path.join(at, 'docs', 'guide.md'), '<!-- include: src/money.py -->\n\nprose\n');
    expect(checkDocs(at).map(formatProblem)).toEqual(['docs/guide.md:1: an include marker must be followed by a fenced code block']);
  });
});
