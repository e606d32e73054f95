/**
 * The kit's Dockerfile rules. No Docker engine runs in the workshop room, so images are checked
 * statically; the image build itself runs in CI (tooling/ci/github/container.yml).
 *
 * Rules named like hadolint's where they mean the same thing, `kit-*` for the kit's own:
 *   DL3006  a base image without a tag
 *   DL3007  a base image tagged `latest`
 *   DL3002  the final stage's last USER is root (or 0)
 *   DL3025  CMD or ENTRYPOINT in shell form (a shell becomes PID 1 and swallows SIGTERM)
 *   DL3020  ADD of local files (COPY says what it does)
 *   kit-digest-pin     a base image without `@sha256:` digest (a tag can be moved)
 *   kit-multi-stage    a single stage, or a final stage that takes nothing from the others
 *                      (build tools end up in the runtime image)
 *   kit-nonroot-user   the final stage has no USER, or names a user instead of a numeric uid
 *   kit-healthcheck    the final stage has no HEALTHCHECK (or `HEALTHCHECK NONE`). Option built
 *                      into the rule: a final stage with NO SHELL (built on `scratch` or a
 *                      non-debug distroless image) needs none — the orchestrator's probes ask
 *                      /healthz and /readyz (document them); there, a shell-form HEALTHCHECK is
 *                      the finding, as it could never run
 *   kit-add-url        ADD of a URL (downloaded unverified at build time)
 *   kit-secret         ENV or ARG whose name looks like a secret (it stays in the image history)
 * Generic on purpose: the Python catalog (lab 5) and the Go services use the same rules.
 */
import { execForm, parseDockerfile, splitFlags, type Instruction } from './parse.ts';

export interface Finding {
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

export const RULES = [
  'DL3006',
  'DL3007',
  'DL3002',
  'DL3025',
  'DL3020',
  'kit-digest-pin',
  'kit-multi-stage',
  'kit-nonroot-user',
  'kit-healthcheck',
  'kit-add-url',
  'kit-secret',
] as const;
export type Rule = (typeof RULES)[number];

interface Stage {
  readonly from: Instruction;
  readonly name: string | undefined;
  readonly body: Instruction[];
}

const SECRET_NAME = /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)($|_)/i;
const DIGEST = /@sha256:[0-9a-f]{64}$/;
const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|tar\.zst)$/i;

/** `$NAME` and `${NAME}` replaced from the ARGs declared before the first FROM (with defaults). */
function substitute(text: string, args: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced?: string, bare?: string) => {
    const value = args.get(braced ?? bare ?? '');
    return value ?? whole;
  });
}

/** `ENV A=1 B=2` / `ENV A 1` / `ARG A[=x]`: the names declared. */
function declaredNames(instruction: Instruction): string[] {
  if (instruction.keyword === 'ARG') return instruction.args.split(/\s+/).map((a) => a.split('=')[0] ?? '').filter(Boolean);
  const pairs = [...instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)].map((m) => m[1] ?? '');
  if (pairs.length > 0) return pairs;
  const legacy = /^([A-Za-z_][A-Za-z0-9_.-]*)\s/.exec(instruction.args);
  return legacy ? [legacy[1] ?? ''] : [];
}

/**
 * Whether an image has no shell: `scratch`, a distroless image other than its `:debug*` tags,
 * Chainguard's `static`. Only a name can be judged statically: anything else is assumed to
 * have one.
 */
export function hasNoShell(image: string): boolean {
  const name = image.toLowerCase().split('@')[0] ?? '';
  if (name === 'scratch') return true;
  const lastPart = name.split('/').at(-1) ?? name;
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : '';
  if (tag.startsWith('debug')) return false;
  return /(^|\/)distroless\//.test(name) || /^cgr\.dev\/chainguard\/static(:|$)/.test(name);
}

function isRootUser(user: string): boolean {
  const name = (user.split(':')[0] ?? '').trim();
  return name === 'root' || name === '0';
}

export function lintDockerfile(text: string): Finding[] {
  const parsed = parseDockerfile(text);
  const findings: Finding[] = [];
  const add = (at: Instruction | undefined, rule: Rule, message: string): void => {
    if (parsed.globalIgnore.has(rule) || at?.ignore.has(rule)) return;
    findings.push({ line: at?.line ?? 1, rule, message });
  };

  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of parsed.instructions) {
    if (instruction.keyword === 'FROM') {
      const { rest } = splitFlags(instruction.args);
      const words = rest.split(/\s+/);
      const name = words.length >= 3 && (words[1] ?? '').toUpperCase() === 'AS' ? words[2] : undefined;
      stages.push({ from: instruction, name: name?.toLowerCase(), body: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (instruction.keyword === 'ARG') {
        for (const part of instruction.args.split(/\s+/)) {
          const eq = part.indexOf('=');
          if (eq > 0) globalArgs.set(part.slice(0, eq), part.slice(eq + 1).replace(/^["']|["']$/g, ''));
        }
      }
    } else {
      stage.body.push(instruction);
    }
  }

  // Base images: tag, not latest, digest.
  const earlier = new Set<string>();
  for (const stage of stages) {
    const { rest } = splitFlags(stage.from.args);
    const image = substitute(rest.split(/\s+/)[0] ?? '', globalArgs);
    const lower = image.toLowerCase();
    if (lower !== 'scratch' && !earlier.has(lower)) {
      if (image.includes('$')) {
        add(stage.from, 'kit-digest-pin', `base image ${image} uses a variable without a default before the first FROM: its tag and digest cannot be checked`);
      } else {
        const withoutDigest = image.split('@')[0] ?? image;
        const lastPart = withoutDigest.split('/').at(-1) ?? withoutDigest;
        const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : undefined;
        if (tag === undefined) add(stage.from, 'DL3006', `Always tag the version of an image explicitly (${image})`);
        else if (tag === 'latest') add(stage.from, 'DL3007', `Using latest is prone to errors if the image will ever update: pin a version tag (${image})`);
        if (!DIGEST.test(image)) add(stage.from, 'kit-digest-pin', `pin the base image by digest as well as tag: ${withoutDigest}@sha256:<64 hex> (a tag can be moved)`);
      }
    }
    if (stage.name) earlier.add(stage.name);
  }

  if (stages.length < 2) {
    add(stages[0]?.from, 'kit-multi-stage', 'one stage only: build in a builder stage and COPY --from it into a slim runtime stage, so build tools stay out of the image');
  }

  // A stage built FROM an earlier stage inherits its USER and HEALTHCHECK: its effective
  // instructions are the earlier stage's, then its own.
  const effectiveBody = (index: number, seen: Set<number> = new Set()): Instruction[] => {
    const stage = stages[index];
    if (!stage || seen.has(index)) return [];
    seen.add(index);
    const base = (splitFlags(stage.from.args).rest.split(/\s+/)[0] ?? '').toLowerCase();
    const parent = stages.findIndex((s, i) => i < index && (s.name === base || String(i) === base));
    return [...(parent >= 0 ? effectiveBody(parent, seen) : []), ...stage.body];
  };

  // The image a stage finally rests on, following FROM <earlier stage> links.
  const rootImage = (index: number, seen: Set<number> = new Set()): string => {
    const stage = stages[index];
    if (!stage || seen.has(index)) return '';
    seen.add(index);
    const base = substitute(splitFlags(stage.from.args).rest.split(/\s+/)[0] ?? '', globalArgs);
    const parent = stages.findIndex((s, i) => i < index && (s.name === base.toLowerCase() || String(i) === base));
    return parent >= 0 ? rootImage(parent, seen) : base;
  };

  const final = stages.at(-1);
  if (final && stages.length >= 2) {
    // Several stages, but the final one takes nothing from the others: a single-stage image
    // with dead stages beside it.
    const earlierStages = new Set(stages.slice(0, -1).flatMap((s, i) => [String(i), ...(s.name ? [s.name] : [])]));
    const base = (splitFlags(final.from.args).rest.split(/\s+/)[0] ?? '').toLowerCase();
    const copiesFromEarlier = final.body.some((i) => i.keyword === 'COPY' && earlierStages.has((splitFlags(i.args).flags.get('from') ?? '').toLowerCase()));
    if (!earlierStages.has(base) && !copiesFromEarlier) {
      add(final.from, 'kit-multi-stage', 'the final stage takes nothing from an earlier stage: COPY --from=<builder> what it built, or it is a single-stage image');
    }
  }
  if (final) {
    const body = effectiveBody(stages.length - 1);
    const users = body.filter((i) => i.keyword === 'USER');
    const lastUser = users.at(-1);
    if (!lastUser) {
      add(final.from, 'kit-nonroot-user', 'the final stage has no USER: it runs as root; add `USER <uid>:<gid>` (numeric)');
    } else if (isRootUser(lastUser.args)) {
      add(lastUser, 'DL3002', 'Last USER should not be root');
    } else if (!/^\d+(:\d+)?$/.test(lastUser.args.trim())) {
      add(lastUser, 'kit-nonroot-user', `USER ${lastUser.args} names a user: use a numeric uid[:gid] so the runtime (e.g. runAsNonRoot) can verify it is not root`);
    }
    const health = body.filter((i) => i.keyword === 'HEALTHCHECK').at(-1);
    const healthCommand = health ? splitFlags(health.args).rest.replace(/^CMD\s+/i, '') : '';
    if (hasNoShell(rootImage(stages.length - 1))) {
      // No shell: no curl/wget either, and Kubernetes ignores HEALTHCHECK anyway — the
      // orchestrator's liveness and readiness probes are the health check. One that names a
      // shell command could never pass.
      if (health && !/^NONE$/i.test(health.args.trim()) && !execForm(healthCommand)) {
        add(health, 'kit-healthcheck', 'a shell-form HEALTHCHECK in a final stage with no shell (scratch/distroless) can never pass: use exec form on a binary in the image, or leave health to the orchestrator\'s probes');
      }
    } else if (!health || /^NONE$/i.test(health.args.trim())) {
      add(health ?? final.from, 'kit-healthcheck', 'the final stage has no HEALTHCHECK: add one that asks the liveness endpoint (or build on a shell-less base — scratch, distroless — and document the orchestrator\'s probes)');
    }
  }

  for (const instruction of parsed.instructions) {
    const { keyword } = instruction;
    if (keyword === 'CMD' || keyword === 'ENTRYPOINT') {
      if (!execForm(instruction.args)) {
        add(instruction, 'DL3025', `Use arguments JSON notation for ${keyword} (shell form runs /bin/sh as PID 1, which does not pass SIGTERM on)`);
      }
    } else if (keyword === 'ADD') {
      const { rest } = splitFlags(instruction.args);
      const parts = execForm(rest) ?? rest.split(/\s+/);
      const sources = parts.slice(0, -1);
      if (sources.some((s) => /^(https?|git):\/\/|^git@/.test(s))) {
        add(instruction, 'kit-add-url', 'ADD of a URL downloads at build time without a checksum: fetch in a RUN and verify its sha256, or COPY --from a pinned image');
      } else if (!sources.every((s) => ARCHIVE.test(s))) {
        add(instruction, 'DL3020', 'Use COPY instead of ADD for files and folders');
      }
    } else if (keyword === 'ENV' || keyword === 'ARG') {
      for (const name of declaredNames(instruction)) {
        if (SECRET_NAME.test(name)) {
          add(instruction, 'kit-secret', `${keyword} ${name} looks like a secret: ${keyword} values stay in the image history; use RUN --mount=type=secret at build time or the runtime's environment`);
        }
      }
    }
  }

  return findings.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
}

/** One line per finding: `file:line rule message`. */
export function formatFinding(file: string, finding: Finding): string {
  return `${file}:${finding.line} ${finding.rule} ${finding.message}`;
}
