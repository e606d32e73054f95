#!/usr/bin/env bash
# npm run bootstrap — the one setup command. Needs only Node >= 20 with npm, Python >= 3.11, Go.
# Every version comes from tooling/toolchain/toolchain.json. Idempotent: a second run changes
# nothing and takes a few seconds. Each phase prints one line; a failing phase prints its name,
# the failing command's last lines, and exits non-zero.
#
# `npm run bootstrap -- --from PACK`: install from an offline room pack (`pnpm kit pack`,
# tooling/pack/README.md) with no network at all: each phase reads the pack instead.
set -euo pipefail

# Arguments: only --from. Anything else is one line and exit 2 (the kit's bad-usage status).
PACK_FILE=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --from) [ "$#" -ge 2 ] && [ -n "$2" ] || { echo "bootstrap: --from needs a pack file (npm run bootstrap -- --from FILE)" >&2; exit 2; }
      PACK_FILE="$2"; shift 2 ;;
    --from=?*) PACK_FILE="${1#--from=}"; shift ;;
    *) echo "bootstrap: unknown argument \"$1\" (usage: npm run bootstrap [-- --from PACK])" >&2; exit 2 ;;
  esac
done
# npm runs scripts in the package root; INIT_CWD is where the user typed the command.
if [ -n "$PACK_FILE" ]; then
  case "$PACK_FILE" in /*) ;; *) PACK_FILE="${INIT_CWD:-$PWD}/$PACK_FILE" ;; esac
  [ -f "$PACK_FILE" ] || { echo "bootstrap: --from $PACK_FILE: no such file" >&2; exit 2; }
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TOOLCHAIN="$ROOT/tooling/toolchain/toolchain.json"
TOOLS_BIN="$ROOT/.tools/bin"
# An unpacked pack stays here: node_modules and .venv are linked from its store and cache.
PACK="$ROOT/.tools/pack"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bootstrap.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
STATE="$WORK/state"   # phases append `export VAR=...` lines the next phases need
: >"$STATE"

die() { printf '✗ bootstrap: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "node not found: install Node.js >= 20 with npm, then re-run"
command -v npm >/dev/null 2>&1 || die "npm not found: install npm (it comes with Node.js), then re-run"
[ -f "$TOOLCHAIN" ] || die "missing $TOOLCHAIN"

# Read toolchain.json with whatever node is on PATH (Node 20 is fine for this).
tc() { node -e 'const t=require(process.argv[1]).tools; const GO_ORDER=(k)=>{const i=["golangci-lint","kube-score","sloth","gitleaks","gosec","cyclonedx-gomod","staticcheck","actionlint"].indexOf(k); return i<0?99:i}; const f=new Function("t","GO_ORDER","return ("+process.argv[2]+")"); const v=f(t,GO_ORDER); process.stdout.write((Array.isArray(v)?v.join("\n"):String(v))+"\n")' "$TOOLCHAIN" "$1"; }
PNPM_PIN="$(tc 't.pnpm.pinned')"
UV_PIN="$(tc 't.uv.pinned')"

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

TOTAL_START="$(now)"

# run_phase "label" function: runs the phase in a subshell with its output in a log; prints one
# line `✓ label   1.2s  (note)`; on failure prints the failing command and the log's last lines.
run_phase() {
  local label="$1" fn="$2" start rc note
  local log="$WORK/$fn.log" notef="$WORK/$fn.note"
  : >"$notef"
  start="$(now)"
  set +e
  (
    set -eEuo pipefail
    trap 'echo "failed command: $BASH_COMMAND (exit $?)" >>"$WORK/$fn.failed"' ERR
    NOTE="$notef"
    PHASE_FN="$fn"
    "$fn"
  ) >"$log" 2>&1 </dev/null
  rc=$?
  set -e
  note="$(cat "$notef")"
  if [ "$rc" -ne 0 ]; then
    printf '✗ %-14s %6s  FAILED\n' "$label" "$(elapsed "$start")"
    if [ -s "$WORK/$fn.fatal" ]; then
      cat "$WORK/$fn.fatal"
    else
      [ -s "$WORK/$fn.failed" ] && head -n 1 "$WORK/$fn.failed"
      echo "--- last lines of its output ---"
      tail -n 25 "$log"
    fi
    exit "$rc"
  fi
  printf '✓ %-14s %6s%s\n' "$label" "$(elapsed "$start")" "${note:+  ($note)}"
  # shellcheck disable=SC1090
  . "$STATE"
}
note() { printf '%s' "$*" >"$NOTE"; }
# fatal: one clear message instead of the log tail.
fatal() { printf '%s\n' "$*" >"$WORK/$PHASE_FN.fatal"; exit 1; }

# (0) the offline pack, with --from: unpack, check it was made for this platform, pins, lockfiles
phase_pack() {
  rm -rf "$PACK"
  mkdir -p "$PACK"
  tar -xf "$PACK_FILE" -C "$PACK"
  [ -f "$PACK/manifest.json" ] || fatal "  $PACK_FILE is not a kit pack (no manifest.json inside)"
  local problem
  problem="$(node "$ROOT/tooling/pack/check-manifest.js" "$PACK/manifest.json" "$TOOLCHAIN" "$ROOT" 2>&1)" || fatal "  $PACK_FILE: $problem"
  note "$(node -e 'const m=require(process.argv[1]); process.stdout.write(`${m.platform}, commit ${m.commit.slice(0,7)}, made ${m.createdAt.slice(0,10)}`)' "$PACK/manifest.json")"
}

# (a) pnpm ------------------------------------------------------------------------------------
phase_pnpm() {
  local have=""
  if command -v pnpm >/dev/null 2>&1; then have="$(pnpm --version 2>/dev/null || true)"; fi
  if [ "$have" = "$PNPM_PIN" ]; then note "pnpm $have already"; return 0; fi
  local out offline=()
  # From the pack: npm's cache there holds pnpm and its native binary package. --offline, or
  # npm waits minutes on the registry it cannot reach.
  [ -z "$PACK_FILE" ] || offline=(--offline "--cache=$PACK/pnpm/npm-cache")
  if ! out="$(npm i -g ${offline[@]+"${offline[@]}"} "pnpm@$PNPM_PIN" 2>&1)"; then
    echo "$out"
    if grep -qE 'EACCES|EPERM|permission denied' <<<"$out"; then
      fatal "  npm cannot write to its global prefix ($(npm prefix -g)): run 'npm config set prefix ~/.npm-global', add ~/.npm-global/bin to PATH, and re-run"
    fi
    return 1
  fi
  echo "$out"
  # npm's global bin may not be on PATH yet: make it so for the next phases.
  if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_PIN" ]; then
    local gbin; gbin="$(npm prefix -g)/bin"
    echo "export PATH=\"$gbin:\$PATH\"" >>"$STATE"
    PATH="$gbin:$PATH"
    [ "$(pnpm --version 2>/dev/null)" = "$PNPM_PIN" ] ||
      fatal "  installed pnpm@$PNPM_PIN but 'pnpm --version' says '$(pnpm --version 2>/dev/null || echo missing)': put $gbin first on PATH and re-run"
    note "installed pnpm $PNPM_PIN; add $gbin to your PATH"
    return 0
  fi
  note "installed pnpm $PNPM_PIN${have:+ (was $have)}"
}

# (b) node deps (brings the pinned Node runtime, buf, vitest...) --------------------------------
phase_node_deps() {
  if [ -n "$PACK_FILE" ]; then
    # The pack's store and metadata cache; the `node` package's preinstall runs npm, which
    # finds the Node runtime package in the pack's npm cache.
    npm_config_cache="$PACK/pnpm/npm-cache" npm_config_offline=true \
      pnpm install --frozen-lockfile --offline --store-dir "$PACK/pnpm/store" --cache-dir "$PACK/pnpm/cache" --reporter=append-only
    note "from the pack (store .tools/pack/pnpm/store)"
    return 0
  fi
  # A checkout set up from a pack keeps the pack's store: pnpm moving node_modules to another
  # store removes it and downloads every package again.
  local store=()
  [ ! -d "$PACK/pnpm/store" ] || store=(--store-dir "$PACK/pnpm/store")
  pnpm install --frozen-lockfile ${store[@]+"${store[@]}"} --reporter=append-only
}

# (b2) system packages: a browser, prometheus/promtool, PostgreSQL, wrk (toolchain.json `system`) --
# Runs in the background beside the Python and Go phases (apt is disk and network, the Go build
# is CPU). Where it may not install (no root, no passwordless sudo, no Homebrew) it says what is
# missing and carries on: the doctor's rows give the fix, and `pnpm test` names the gates that
# could not run (and fails them under CI=true).
phase_system() {
  local out rc=0 verb=install
  # The pack holds no system packages (tooling/pack/README.md): offline, only list what is missing.
  [ -z "$PACK_FILE" ] || verb=list
  out="$(pnpm exec node scripts/system-packages.ts "$verb" 2>&1)" || rc=$?
  echo "$out"
  note "$(tail -n 1 <<<"$out")"
  case "$rc" in
    0 | 3) return 0 ;;
    *) fatal "$(tail -n 15 <<<"$out")" ;;
  esac
}

# (c) python ----------------------------------------------------------------------------------
uv_version() { { "$@" --version 2>/dev/null || true; } | awk '$1=="uv" {print $2}'; }
find_uv() {
  # Prints the command that runs uv at the pin, or nothing.
  if command -v uv >/dev/null 2>&1 && [ "$(uv_version uv)" = "$UV_PIN" ]; then echo "uv"; return; fi
  if [ "$(uv_version python3 -m uv)" = "$UV_PIN" ]; then echo "python3 -m uv"; return; fi
  if [ -x "$ROOT/.tools/uv/bin/uv" ] && [ "$(uv_version "$ROOT/.tools/uv/bin/uv")" = "$UV_PIN" ]; then
    echo "$ROOT/.tools/uv/bin/uv"; return
  fi
}
phase_python() {
  if [ ! -f pyproject.toml ]; then note "skipped: no pyproject.toml yet"; return 0; fi
  command -v python3 >/dev/null 2>&1 || fatal "  python3 not found: install Python >= 3.11, then re-run"
  python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
    fatal "  python3 is $(python3 --version 2>&1), the kit needs >= 3.11: install it, then re-run"
  local uv installed=""
  uv="$(find_uv)"
  if [ -z "$uv" ]; then
    local out pip_from=()
    [ -z "$PACK_FILE" ] || pip_from=(--no-index --find-links "$PACK/python/wheels")
    if ! out="$(python3 -m pip install --disable-pip-version-check ${pip_from[@]+"${pip_from[@]}"} "uv==$UV_PIN" 2>&1)"; then
      echo "$out"
      if grep -q 'externally-managed-environment' <<<"$out"; then
        # A distribution's Python refuses pip installs (PEP 668): give uv a venv of its own.
        python3 -m venv "$ROOT/.tools/uv"
        "$ROOT/.tools/uv/bin/python" -m pip install --disable-pip-version-check ${pip_from[@]+"${pip_from[@]}"} "uv==$UV_PIN"
      else
        return 1
      fi
    else
      echo "$out"
    fi
    uv="$(find_uv)"
    [ -n "$uv" ] || fatal "  installed uv==$UV_PIN but cannot run it (neither 'uv' nor 'python3 -m uv' reports $UV_PIN)"
    installed="installed uv $UV_PIN; "
  fi
  # uv in its own venv: linked into .tools/bin, where the doctor looks for the kit's tools.
  if [ "$uv" = "$ROOT/.tools/uv/bin/uv" ]; then mkdir -p "$TOOLS_BIN" && ln -sf ../uv/bin/uv "$TOOLS_BIN/uv"; fi
  echo "export UV_CMD=\"$uv\"" >>"$STATE"
  if [ -n "$PACK_FILE" ]; then
    # shellcheck disable=SC2086
    UV_CACHE_DIR="$PACK/python/uv-cache" UV_PYTHON_DOWNLOADS=never $uv sync --locked --offline
    note "${installed}uv sync --locked --offline (the pack's uv cache)"
    return 0
  fi
  # shellcheck disable=SC2086
  UV_PYTHON_DOWNLOADS=never $uv sync --locked
  note "${installed}uv sync --locked"
}

# (d) go modules ------------------------------------------------------------------------------
need_go() {
  command -v go >/dev/null 2>&1 || fatal "  go not found: install Go >= 1.26 and put it on PATH, then re-run"
}
phase_go_modules() {
  need_go
  local mods=() d
  if [ -d go ]; then
    while IFS= read -r d; do mods+=("$d"); done < <(find go -name go.mod -not -path '*/testdata/*' -not -path '*/vendor/*' -printf '%h\n' | sort)
  fi
  if [ "${#mods[@]}" -eq 0 ]; then note "no Go modules yet"; return 0; fi
  if [ -n "$PACK_FILE" ]; then
    # The pack's module downloads are a module proxy tree; no checksum database offline (go.sum
    # still verifies every module).
    export GOPROXY="file://$PACK/go/download" GOSUMDB=off
  fi
  for d in "${mods[@]}"; do
    echo "== go mod download in $d"
    (cd "$d" && go mod download)
  done
  note "${#mods[@]} module(s): ${mods[*]}${PACK_FILE:+ (from the pack)}"
}

# (e) go tools, into <repo>/.tools/bin, skipping those already at the pin ----------------------
# Two `go install`s at a time (BOOTSTRAP_GO_JOBS): one build's serial parts (loading, linking)
# leave a core idle that the other uses. The biggest first, so the last one to end is small, and
# paired with tools that share few packages (two builds of one package at once are two compiles;
# staticcheck and gosec come after golangci-lint, whose packages they reuse from the cache).
# -ldflags=-s -w: no symbol table or DWARF (a faster link; `go version -m` still reads the pin).
phase_go_tools() {
  need_go
  mkdir -p "$TOOLS_BIN"
  # The pack's tools are built already (checked against the pins below, as any other).
  [ -z "$PACK_FILE" ] || cp -p "$PACK"/go/tools/* "$TOOLS_BIN"/
  local name pkg mod ver bin todo=() installed=() kept=0
  while read -r name pkg mod ver; do
    [ -n "$name" ] || continue
    bin="$TOOLS_BIN/$name"
    if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null | awk -v m="$mod" -v v="$ver" '$1=="mod" && $2==m && $3==v {f=1} END {exit !f}'; then
      kept=$((kept + 1))
      continue
    fi
    todo+=("$pkg@$ver")
    installed+=("$name")
  done < <(tc 'Object.entries(t).filter(([k,v])=>v.go).sort(([a],[b])=>GO_ORDER(a)-GO_ORDER(b)).map(([k,v])=>[v.bin,v.go.package,v.go.module,v.pinned].join(" "))')
  if [ "${#todo[@]}" -gt 0 ]; then
    printf '%s\n' "${todo[@]}" | GOBIN="$TOOLS_BIN" xargs -P "${BOOTSTRAP_GO_JOBS:-2}" -I{} \
      sh -c 'started=$(date +%s); go install -ldflags="-s -w" "$1" || { echo "go install $1 FAILED"; exit 1; }; echo "go install $1: $(( $(date +%s) - started ))s"' _ {}
  fi
  if [ "${#installed[@]}" -eq 0 ]; then note "$kept already at the pinned version"
  else note "installed ${installed[*]}; $kept already at the pinned version"; fi
}

# (f) generated code --------------------------------------------------------------------------
phase_codegen() {
  # Go (buf + local plugins from .tools/bin) and Python (grpcio-tools) from proto/: pnpm gen.
  pnpm run --silent gen >/dev/null
  note "regenerated go/gen and python/gen from proto/ (pnpm gen)"
}

# (f2) dev certificates ------------------------------------------------------------------------
phase_certs() {
  # The recommender's optional mTLS uses a throw-away CA and certificates valid 30 days, made at
  # setup into the git-ignored .certs/ (never committed); remade when missing or 20+ days old.
  if [ -f .certs/ca.pem ] && [ -z "$(find .certs/ca.pem -mtime +20)" ]; then note "kept .certs/ (made $(date -r .certs/ca.pem +%F))"; return 0; fi
  PYTHONPATH=python/services/recommender/src .venv/bin/python -m recommender.certs .certs
  note "made dev mTLS certificates in .certs/ (python -m recommender.certs)"
}

# run_phase_bg "label" function: run_phase in the background; join_bg prints its line (and stops
# bootstrap if it failed).
BG_PID="" BG_FN=""
run_phase_bg() {
  BG_FN="$2"
  (run_phase "$1" "$2") >"$WORK/$2.bg" 2>&1 &
  BG_PID=$!
}
join_bg() {
  [ -n "$BG_PID" ] || return 0
  local rc=0
  wait "$BG_PID" || rc=$?
  cat "$WORK/$BG_FN.bg"
  BG_PID=""
  [ "$rc" -eq 0 ] || exit "$rc"
}

[ -z "$PACK_FILE" ] || run_phase "pack" phase_pack
run_phase "pnpm" phase_pnpm
run_phase "node deps" phase_node_deps
run_phase_bg "system packages" phase_system
run_phase "python" phase_python
run_phase "go modules" phase_go_modules
run_phase "go tools" phase_go_tools
run_phase "generated code" phase_codegen
run_phase "dev certificates" phase_certs
join_bg

# (g) doctor: its table is the closing report; its exit code is bootstrap's.
# (`pnpm doctor` would run pnpm's own built-in doctor, hence `pnpm run doctor`.)
echo
set +e
pnpm run --silent doctor
rc=$?
set -e
echo
if [ "$rc" -eq 0 ]; then
  printf '✓ bootstrap done in %s\n' "$(elapsed "$TOTAL_START")"
else
  printf '✗ bootstrap: setup ran (%s) but doctor reports a required tool missing or too old (fixes above)\n' "$(elapsed "$TOTAL_START")"
  exit 1
fi
