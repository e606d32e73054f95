/**
 * Proto codegen for both stacks, offline and reproducible: `pnpm gen` writes into the repo, the
 * drift gate (tooling/gates/proto-drift.ts) writes into a temporary folder and compares.
 * - Go: `buf generate` with the LOCAL plugins protoc-gen-go / protoc-gen-go-grpc (.tools/bin)
 *   → go/gen/recommendations/v1 (module languagetracks.example/go/gen).
 * - Python: grpcio-tools' bundled protoc with mypy-protobuf → python/gen/*_pb2*.py(i).
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { run } from '../lab-engine/process.ts';
import { findTool } from '../toolchain/tools.ts';

export const GO_OUT = 'go/gen';
export const PY_OUT = 'python/gen';

/** The .proto files of the contract, relative to proto/. */
export function protoFiles(root: string): string[] {
  const dir = path.join(root, 'proto');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.proto')).sort();
}

/** Whether a repo-relative path is a generated file (Go *.pb.go under go/gen, Python *_pb2* under python/gen). */
export function isGenerated(rel: string): boolean {
  const p = rel.split(path.sep).join('/');
  return (p.startsWith(`${GO_OUT}/`) && p.endsWith('.pb.go')) || (p.startsWith(`${PY_OUT}/`) && /_pb2(_grpc)?\.pyi?$/.test(p));
}

/** Every generated file under `base` (repo-relative paths). */
export function generatedFiles(base: string): string[] {
  const out: string[] = [];
  for (const top of [GO_OUT, PY_OUT]) {
    const dir = path.join(base, top);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const rel = path.join(top, f);
      if (isGenerated(rel)) out.push(rel);
    }
  }
  return out.sort();
}

/** Generates Go and Python code from root/proto into `outRoot` (the repo itself, or a temp dir). */
export async function generate(root: string, outRoot: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const protos = protoFiles(root);
  if (protos.length === 0) return { ok: false, message: 'no proto/*.proto to generate from' };
  const toolsBin = path.join(root, '.tools', 'bin');
  const env = { ...process.env, PATH: `${toolsBin}${path.delimiter}${process.env['PATH'] ?? ''}` };
  for (const plugin of ['protoc-gen-go', 'protoc-gen-go-grpc']) {
    if (!existsSync(path.join(toolsBin, plugin))) return { ok: false, message: `${plugin} missing from .tools/bin: run pnpm run bootstrap` };
  }
  const buf = findTool(root, 'buf') ?? 'buf';
  const go = await run(buf, ['generate', 'proto', '--template', 'buf.gen.yaml', '-o', outRoot], { cwd: root, env, timeoutMs: 5 * 60_000 });
  if (go.code !== 0) return { ok: false, message: `buf generate failed:\n${go.stdout}${go.stderr}` };

  const venvBin = path.join(root, '.venv', 'bin');
  const python = path.join(venvBin, 'python');
  if (!existsSync(python)) return { ok: false, message: '.venv missing: run UV_PYTHON_DOWNLOADS=never uv sync --locked' };
  const pyOut = path.join(outRoot, PY_OUT);
  mkdirSync(pyOut, { recursive: true });
  const py = await run(
    python,
    [
      '-m', 'grpc_tools.protoc', '-Iproto',
      `--plugin=protoc-gen-mypy=${path.join(venvBin, 'protoc-gen-mypy')}`,
      `--plugin=protoc-gen-mypy_grpc=${path.join(venvBin, 'protoc-gen-mypy_grpc')}`,
      `--python_out=${pyOut}`, `--grpc_python_out=${pyOut}`, `--mypy_out=${pyOut}`, `--mypy_grpc_out=${pyOut}`,
      ...protos,
    ],
    { cwd: root, env, timeoutMs: 5 * 60_000 },
  );
  if (py.code !== 0) return { ok: false, message: `grpc_tools.protoc failed:\n${py.stdout}${py.stderr}` };
  return { ok: true };
}

/** `pnpm gen`: removes the committed generated files (so a deleted message leaves nothing stale), then regenerates. */
export async function regenerateInPlace(root: string): Promise<{ ok: true; files: string[] } | { ok: false; message: string }> {
  for (const rel of generatedFiles(root)) rmSync(path.join(root, rel));
  const result = await generate(root, root);
  return result.ok ? { ok: true, files: generatedFiles(root) } : result;
}
