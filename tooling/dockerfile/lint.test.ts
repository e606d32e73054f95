import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kitDockerfiles } from './files.ts';
import { RULES, hasNoShell, lintDockerfile, type Rule } from './lint.ts';
import { execForm, parseDockerfile } from './parse.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIGEST = `sha256:${'a'.repeat(64)}`;

const GOOD = `# syntax=docker/dockerfile:1
ARG BASE=python:3.11.11-slim-bookworm@${DIGEST}
FROM \${BASE} AS builder
RUN pip install uv==0.13.9 \\
    && uv --version
COPY app.tar.gz /tmp/
ADD vendor.tar.gz /opt/
FROM builder AS test
RUN true
FROM python:3.11.11-slim-bookworm@${DIGEST}
ENV PATH=/opt/venv/bin:$PATH APP_MODE=prod
ARG VERSION=1
COPY --from=builder /opt/venv /opt/venv
USER root
RUN apt-get update
USER 10001:10001
EXPOSE 8000
HEALTHCHECK CMD ["python", "-c", "print(1)"]
ENTRYPOINT ["python", "-m", "catalog"]
CMD ["--port", "8000"]
`;

/** One bad Dockerfile per rule: the rule fires, on the line named. */
const BAD: Record<Rule, { text: string; line: number }> = {
  DL3006: { text: `FROM python@${DIGEST} AS b\nFROM b\nUSER 1\nHEALTHCHECK CMD ["x"]\n`, line: 1 },
  DL3007: { text: `FROM python:latest@${DIGEST} AS b\nFROM b\nUSER 1\nHEALTHCHECK CMD ["x"]\n`, line: 1 },
  DL3002: { text: `FROM scratch AS b\nFROM b\nUSER 1\nRUN x\nUSER root\nHEALTHCHECK CMD ["x"]\n`, line: 5 },
  DL3025: { text: `FROM scratch AS b\nFROM b\nUSER 1\nHEALTHCHECK CMD ["x"]\nCMD python -m catalog\n`, line: 5 },
  DL3020: { text: `FROM scratch AS b\nFROM b\nADD src /app/src\nUSER 1\nHEALTHCHECK CMD ["x"]\n`, line: 3 },
  'kit-digest-pin': { text: `FROM scratch AS b\n\nFROM python:3.11-slim\nCOPY --from=b /a /a\nUSER 1\nHEALTHCHECK CMD ["x"]\n`, line: 3 },
  'kit-multi-stage': { text: `# one stage\nFROM scratch\nUSER 1\nHEALTHCHECK CMD ["x"]\n`, line: 2 },
  'kit-nonroot-user': { text: `FROM scratch AS b\nFROM b\nUSER app\nHEALTHCHECK CMD ["x"]\n`, line: 3 },
  'kit-healthcheck': { text: `FROM busybox:1.37@${DIGEST} AS b\nFROM b\nUSER 1\nHEALTHCHECK NONE\n`, line: 4 },
  'kit-add-url': { text: `FROM scratch AS b\nFROM b\nADD https://example.com/x.tar.gz /x\nUSER 1\nHEALTHCHECK CMD ["x"]\n`, line: 3 },
  'kit-secret': { text: `FROM scratch AS b\nFROM b\nENV DB_PASSWORD=hunter2\nUSER 1\nHEALTHCHECK CMD ["x"]\n`, line: 3 },
};

describe('dockerfile lint', () => {
  it('finds nothing in a good Dockerfile (tag + digest via ARG, stages, numeric USER, exec form)', () => {
    expect(lintDockerfile(GOOD)).toEqual([]);
  });

  for (const rule of RULES) {
    it(`${rule} fires on its bad Dockerfile, on the right line, and only it`, () => {
      const bad = BAD[rule];
      const findings = lintDockerfile(bad.text);
      expect(findings.map((f) => `${f.line} ${f.rule}`)).toEqual([`${bad.line} ${rule}`]);
    });
  }

  it('a single-stage, root, latest, shell-form image collects every matching finding', () => {
    const rules = lintDockerfile('FROM python:latest\nARG GITHUB_TOKEN\nCMD python app.py\n').map((f) => f.rule);
    expect(rules.sort()).toEqual(['DL3007', 'DL3025', 'kit-digest-pin', 'kit-healthcheck', 'kit-multi-stage', 'kit-nonroot-user', 'kit-secret'].sort());
  });

  it('a final stage built FROM an earlier stage inherits its USER and HEALTHCHECK', () => {
    expect(lintDockerfile('FROM scratch AS base\nUSER 1\nHEALTHCHECK CMD ["x"]\nFROM base AS mid\nFROM mid\nCMD ["x"]\n')).toEqual([]);
    expect(lintDockerfile('FROM scratch AS base\nUSER 1\nHEALTHCHECK CMD ["x"]\nFROM base\nUSER root\n').map((f) => f.rule)).toEqual(['DL3002']);
  });

  it('kit-multi-stage: a final stage that copies nothing from an earlier stage is single-stage', () => {
    const tail = 'USER 1\nHEALTHCHECK CMD ["x"]\n';
    expect(lintDockerfile(`FROM scratch AS build\nFROM scratch\nCOPY --from=other:1 /a /a\n${tail}`).map((f) => `${f.line} ${f.rule}`)).toEqual(['2 kit-multi-stage']);
    expect(lintDockerfile(`FROM scratch AS build\nFROM scratch\nCOPY --from=BUILD /a /a\n${tail}`)).toEqual([]);
    expect(lintDockerfile(`FROM scratch\nFROM scratch\nCOPY --from=0 /a /a\n${tail}`)).toEqual([]);
    expect(lintDockerfile(`FROM scratch AS build\nFROM build\n${tail}`)).toEqual([]);
  });

  it('the final stage is what counts for USER and HEALTHCHECK; USER 0 is root', () => {
    const text = `FROM scratch AS b\nUSER 1\nHEALTHCHECK CMD ["x"]\nFROM alpine:3.22@${DIGEST}\nCOPY --from=b /a /a\nUSER 0:0\n`;
    expect(lintDockerfile(text).map((f) => f.rule).sort()).toEqual(['DL3002', 'kit-healthcheck']);
  });

  it('kit-healthcheck: a final stage with no shell (scratch, distroless) leaves health to the orchestrator', () => {
    const distroless = `gcr.io/distroless/static-debian12:nonroot@${DIGEST}`;
    const build = `FROM golang:1.26.5-bookworm@${DIGEST} AS build\nRUN go build -o /out/app .\n`;
    const rules = (text: string): string[] => lintDockerfile(text).map((f) => `${f.line} ${f.rule}`);
    // No HEALTHCHECK needed: scratch, distroless (directly, through an ARG, or through a stage).
    expect(rules(`${build}FROM scratch\nCOPY --from=build /out/app /app\nUSER 65532:65532\nENTRYPOINT ["/app"]\n`)).toEqual([]);
    expect(rules(`${build}FROM ${distroless}\nCOPY --from=build /out/app /app\nUSER 65532:65532\nENTRYPOINT ["/app"]\n`)).toEqual([]);
    expect(rules(`ARG RUNTIME=${distroless}\n${build}FROM \${RUNTIME}\nCOPY --from=build /out/app /app\nUSER 65532:65532\n`)).toEqual([]);
    expect(rules(`${build}FROM ${distroless} AS runtime\nCOPY --from=build /out/app /app\nFROM runtime\nUSER 65532:65532\n`)).toEqual([]);
    // An exec-form HEALTHCHECK on a binary in the image is still fine there...
    expect(rules(`${build}FROM scratch\nCOPY --from=build /out/app /app\nUSER 1\nHEALTHCHECK CMD ["/app", "health"]\n`)).toEqual([]);
    // ...a shell-form one could never run: no /bin/sh, no curl.
    expect(rules(`${build}FROM scratch\nCOPY --from=build /out/app /app\nUSER 1\nHEALTHCHECK --interval=5s CMD curl -f http://127.0.0.1:8000/healthz\n`)).toEqual(['6 kit-healthcheck']);
    // Images with a shell still need one: distroless :debug tags carry busybox.
    expect(rules(`${build}FROM gcr.io/distroless/static-debian12:debug-nonroot@${DIGEST}\nCOPY --from=build /out/app /app\nUSER 1\n`)).toEqual(['3 kit-healthcheck']);
    expect(rules(`${build}FROM alpine:3.22@${DIGEST}\nCOPY --from=build /out/app /app\nUSER 1\n`)).toEqual(['3 kit-healthcheck']);
  });

  it('hasNoShell judges the image name only', () => {
    expect(['scratch', 'SCRATCH', 'gcr.io/distroless/static-debian12:nonroot', `gcr.io/distroless/static-debian12@${DIGEST}`, 'gcr.io/distroless/base-debian12', 'cgr.dev/chainguard/static:latest'].filter((i) => !hasNoShell(i))).toEqual([]);
    expect(['gcr.io/distroless/static-debian12:debug', 'gcr.io/distroless/base:debug-nonroot', 'alpine:3.22', 'python:3.11-slim', 'busybox', 'golang:1.26'].filter(hasNoShell)).toEqual([]);
  });

  it('ignore comments silence a rule for the next instruction, or globally', () => {
    const text = `# dockerfile-lint global ignore=kit-healthcheck\nFROM scratch AS b\nFROM b\n# dockerfile-lint ignore=DL3025\nCMD run me\nUSER 1\n`;
    expect(lintDockerfile(text)).toEqual([]);
  });

  it('an unresolved variable in FROM is reported, not guessed', () => {
    const findings = lintDockerfile(`ARG BASE\nFROM $BASE AS b\nFROM b\nUSER 1\nHEALTHCHECK CMD ["x"]\n`);
    expect(findings.map((f) => f.rule)).toEqual(['kit-digest-pin']);
  });

  it('parses continuations, comments inside them, the escape directive and exec form', () => {
    const parsed = parseDockerfile('# escape=`\nFROM scratch\nRUN a `\n  # note\n  b\nCMD ["x", "y"]\n');
    expect(parsed.instructions.map((i) => [i.keyword, i.args, i.line])).toEqual([
      ['FROM', 'scratch', 2],
      ['RUN', 'a b', 3],
      ['CMD', '["x", "y"]', 6],
    ]);
    expect(execForm('["x", "y"]')).toEqual(['x', 'y']);
    expect(execForm('[x]')).toBeUndefined();
    expect(execForm('python app.py')).toBeUndefined();
  });

  it("the kit's own Dockerfiles are clean", () => {
    const files = kitDockerfiles(root);
    expect(files).toContain('python/services/catalog/Dockerfile');
    expect(files).toContain('go/services/catalog/Dockerfile');
    for (const file of files) expect(lintDockerfile(readFileSync(path.join(root, file), 'utf8')), file).toEqual([]);
  });
});

describe('scripts/dockerfile-lint.ts', () => {
  const script = path.join(root, 'scripts', 'dockerfile-lint.ts');
  const lint = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

  it('exit 0 and no output when clean', () => {
    const ran = lint(path.join(root, 'python/services/catalog/Dockerfile'));
    expect([ran.status, ran.stdout]).toEqual([0, '']);
  });

  it('exit 1 with one `file:line rule message` line per finding', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dflint-'));
    const file = path.join(dir, 'Dockerfile');
    writeFileSync(file, 'FROM python:3.11\nCMD python app.py\n');
    const ran = lint(file);
    expect(ran.status).toBe(1);
    const lines = ran.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+ (DL\\d{4}|kit-[a-z-]+) \\S`));
    expect(lines).toContain(`${file}:2 DL3025 Use arguments JSON notation for CMD (shell form runs /bin/sh as PID 1, which does not pass SIGTERM on)`);
  });

  it('exit 2 with one line per bad input, and for no input', () => {
    const missing = lint('/nonexistent/Dockerfile', root);
    expect(missing.status).toBe(2);
    expect(missing.stdout.trim().split('\n')).toEqual(['dockerfile-lint: /nonexistent/Dockerfile: no such file', `dockerfile-lint: ${root}: not a readable file`]);
    const none = lint();
    expect(none.status).toBe(2);
    expect(none.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('is wired as a kit gate over every Dockerfile under python/ and go/', async () => {
    const { allGates } = await import('../gates/gates.ts');
    const gate = allGates(root).find((g) => g.name.startsWith('kit: dockerfile-lint'));
    expect(gate?.scope).toBe('kit');
    expect(gate?.args).toContain('python/services/catalog/Dockerfile');
    expect(execFileSync(gate?.command ?? '', gate?.args ?? [], { cwd: root, encoding: 'utf8' })).toBe('');
  });
});
