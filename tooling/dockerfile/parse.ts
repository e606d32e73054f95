/**
 * A small Dockerfile parser: enough for the kit's linter, and nothing a build depends on.
 *
 * It joins continuation lines (a trailing `\`, or the `escape` directive's character), drops
 * comment lines, and returns each instruction with its keyword, raw arguments and the line it
 * starts on. Exec form (`["a", "b"]`) is recognised by parsing the arguments as a JSON array of
 * strings, as Docker does. Heredocs (`RUN <<EOF`) are not expanded: their body lines are kept
 * as instructions of their own would be, so keep heredocs out of linted Dockerfiles.
 *
 * Ignore comments, as hadolint spells them: `# dockerfile-lint ignore=DL3006,kit-digest-pin`
 * on the line(s) right before an instruction silences those rules for it;
 * `# dockerfile-lint global ignore=RULE` anywhere silences a rule for the whole file.
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, CMD, ... */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined with a space, trimmed. */
  readonly args: string;
  /** 1-based line where the instruction starts. */
  readonly line: number;
  /** Rules silenced for this instruction by the ignore comment(s) right before it. */
  readonly ignore: ReadonlySet<string>;
}

export interface Dockerfile {
  readonly instructions: readonly Instruction[];
  /** Rules silenced for the whole file. */
  readonly globalIgnore: ReadonlySet<string>;
}

const IGNORE = /^#\s*dockerfile-lint\s+(global\s+)?ignore=([A-Za-z0-9_,-]+)\s*$/;
const DIRECTIVE = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/;

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  const instructions: Instruction[] = [];
  const globalIgnore = new Set<string>();
  let escape = '\\';
  let directivesOpen = true;
  let pendingIgnore = new Set<string>();
  let current: { line: number; parts: string[]; ignore: Set<string> } | undefined;

  const finish = (): void => {
    if (!current) return;
    const joined = current.parts.join(' ').trim();
    const match = /^(\S+)\s*([\s\S]*)$/.exec(joined);
    if (match) instructions.push({ keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim(), line: current.line, ignore: current.ignore });
    current = undefined;
  };

  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) {
      // Parser directives (`# escape=`` ` ``) only count before anything else.
      const directive = directivesOpen ? DIRECTIVE.exec(trimmed) : null;
      if (directive && (directive[1] ?? '').toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) {
        escape = directive[2];
        continue;
      }
      directivesOpen = false;
      const ignore = IGNORE.exec(trimmed);
      if (ignore) {
        const rules = (ignore[2] ?? '').split(',').filter(Boolean);
        for (const rule of rules) (ignore[1] ? globalIgnore : pendingIgnore).add(rule);
      }
      // A comment inside a continued instruction does not end it (Docker drops it).
      continue;
    }
    directivesOpen = false;
    if (trimmed === '') continue;
    const continued = trimmed.endsWith(escape);
    const body = continued ? trimmed.slice(0, -escape.length) : trimmed;
    if (!current) {
      current = { line: i + 1, parts: [], ignore: pendingIgnore };
      pendingIgnore = new Set();
    }
    current.parts.push(body.trim());
    if (!continued) finish();
  }
  finish();
  return { instructions, globalIgnore };
}

/** The exec-form arguments (`["python", "-m", "x"]`), or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed as string[];
  } catch {
    // Not JSON: Docker runs it with a shell.
  }
  return undefined;
}

/** `--name=value` flags at the start of an instruction's arguments, and the rest. */
export function splitFlags(args: string): { flags: Map<string, string>; rest: string } {
  const flags = new Map<string, string>();
  let rest = args;
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!m) break;
    flags.set(m[1] ?? '', m[2] ?? '');
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}
