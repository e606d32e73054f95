// Package lab10 holds the acceptance tests of lab 10 (ship it): the image's Dockerfile and the
// readiness of the catalog's dependencies. No Docker engine runs in the workshop room, so the
// Dockerfile is checked the way lab 5 checks the Python one: the kit's linter, then what the
// image would do, done here — its `go build` line run as written (the binary must be static:
// the runtime image has no libc), and its ENTRYPOINT run as a process (it must serve and exit
// 0 on SIGTERM, which only works in exec form).
package lab10

import (
	"bufio"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const dockerfileRel = "go/services/catalog/Dockerfile"

// step names where a rule's fix is in the lab's README.
var step = map[string]int{
	"DL3006": 1, "DL3007": 1, "kit-digest-pin": 1, "kit-multi-stage": 1,
	"DL3002": 2, "kit-nonroot-user": 2, "DL3025": 2, "kit-healthcheck": 2,
}

func todo(n int) string { return fmt.Sprintf("%s, TODO(lab 10) step %d", dockerfileRel, n) }

// repoRoot is the kit's root: the first parent holding scripts/dockerfile-lint.ts.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "scripts", "dockerfile-lint.ts")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("the kit's root (scripts/dockerfile-lint.ts) is not above this package")
		}
		dir = parent
	}
}

func TestDockerfilePassesTheKitLinter(t *testing.T) {
	root := repoRoot(t)
	node := filepath.Join(root, "node_modules", ".bin", "node")
	if _, err := os.Stat(node); err != nil {
		t.Fatalf("%s not found: run `pnpm install` (the linter is TypeScript, run by Node 24)", node)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(root, "scripts", "dockerfile-lint.ts"), filepath.Join(root, dockerfileRel))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 1) {
		t.Fatalf("the linter could not run: %v\n%s", err, out)
	}
	if err == nil {
		return
	}
	var lines []string
	for _, finding := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		where := "README"
		if fields := strings.SplitN(finding, " ", 3); len(fields) >= 2 {
			if n, ok := step[fields[1]]; ok {
				where = fmt.Sprintf("step %d", n)
			}
		}
		lines = append(lines, fmt.Sprintf("  %s  [%s]", strings.TrimPrefix(finding, root+"/"), where))
	}
	t.Fatalf("%s: the linter found\n%s", strings.Split(todo(1), " step")[0], strings.Join(lines, "\n"))
}

// instruction is one Dockerfile instruction, continuation lines joined, comments dropped.
type instruction struct {
	keyword, args string
}

// stage is a FROM line and what follows it.
type stage struct {
	name string
	body []instruction
}

func parseDockerfile(t *testing.T) []stage {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), dockerfileRel))
	if err != nil {
		t.Fatal(err)
	}
	var joined []string
	current := ""
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if cut, ok := strings.CutSuffix(line, "\\"); ok {
			current += " " + strings.TrimSpace(cut)
			continue
		}
		joined = append(joined, strings.TrimSpace(current+" "+line))
		current = ""
	}
	var stages []stage
	for _, text := range joined {
		keyword, args, _ := strings.Cut(text, " ")
		keyword, args = strings.ToUpper(keyword), strings.TrimSpace(args)
		if keyword == "FROM" {
			words := strings.Fields(args)
			name := ""
			if len(words) >= 3 && strings.EqualFold(words[len(words)-2], "AS") {
				name = strings.ToLower(words[len(words)-1])
			}
			stages = append(stages, stage{name: name})
			continue
		}
		if len(stages) > 0 {
			stages[len(stages)-1].body = append(stages[len(stages)-1].body, instruction{keyword, args})
		}
	}
	if len(stages) == 0 {
		t.Fatalf("no FROM in %s (%s)", dockerfileRel, todo(1))
	}
	return stages
}

// words splits a shell command line the way sh would for the simple lines a Dockerfile's
// `go build` uses: blanks separate, '…' and "…" quote, \ escapes.
func words(line string) []string {
	var out []string
	var word strings.Builder
	inWord := false
	quote := rune(0)
	escaped := false
	for _, r := range line {
		switch {
		case escaped:
			word.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, word.String())
	}
	return out
}

// envPairs reads `ENV A=1 B=2` (and the legacy `ENV A 1`).
func envPairs(args string) map[string]string {
	pairs := map[string]string{}
	ws := words(args)
	if len(ws) >= 2 && !strings.Contains(ws[0], "=") {
		pairs[ws[0]] = strings.Join(ws[1:], " ")
		return pairs
	}
	for _, w := range ws {
		if k, v, ok := strings.Cut(w, "="); ok {
			pairs[k] = v
		}
	}
	return pairs
}

// buildLine is the image's `go build`, found in the Dockerfile.
type buildLine struct {
	env    map[string]string // ENV of the build stage, then the assignments before `go`
	args   []string          // after `go build`, with -o removed
	output string            // the -o path inside the builder
	stage  string            // the build stage's name
}

func findBuild(t *testing.T, stages []stage) buildLine {
	t.Helper()
	for i, st := range stages[:len(stages)-1] {
		env := map[string]string{}
		for _, in := range st.body {
			if in.keyword == "ENV" {
				for k, v := range envPairs(in.args) {
					env[k] = v
				}
			}
			if in.keyword != "RUN" || !strings.Contains(in.args, "go build") {
				continue
			}
			command := in.args
			for strings.HasPrefix(command, "--") { // RUN flags: --mount=type=cache,...
				_, command, _ = strings.Cut(command, " ")
				command = strings.TrimSpace(command)
			}
			for _, part := range strings.Split(command, "&&") {
				ws := words(strings.TrimSpace(part))
				at := slices.Index(ws, "go")
				if at < 0 || at+1 >= len(ws) || ws[at+1] != "build" {
					continue
				}
				for _, assignment := range ws[:at] {
					if k, v, ok := strings.Cut(assignment, "="); ok {
						env[k] = v
					}
				}
				line := buildLine{env: env, stage: st.name}
				if line.stage == "" {
					line.stage = fmt.Sprint(i)
				}
				rest := ws[at+2:]
				for j := 0; j < len(rest); j++ {
					switch {
					case rest[j] == "-o" && j+1 < len(rest):
						line.output = rest[j+1]
						j++
					case strings.HasPrefix(rest[j], "-o="):
						line.output = strings.TrimPrefix(rest[j], "-o=")
					default:
						line.args = append(line.args, rest[j])
					}
				}
				if line.output == "" {
					t.Fatalf("the image's `go build` has no -o: name the binary it builds (%s)", todo(1))
				}
				return line
			}
		}
	}
	t.Fatalf("no RUN ... go build in a build stage of %s (%s)", dockerfileRel, todo(1))
	return buildLine{}
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
	buildDir  string
)

// build runs the image's `go build` here, once per test run, and returns the binary's path.
func build(t *testing.T) (string, buildLine) {
	t.Helper()
	line := findBuild(t, parseDockerfile(t))
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lab10-")
		if err != nil {
			buildErr = err
			return
		}
		buildDir = dir
		binary = filepath.Join(dir, "catalog")
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		env := os.Environ()
		if _, set := line.env["CGO_ENABLED"]; !set {
			env = append(env, "CGO_ENABLED=1") // the golang image has gcc: cgo is on by default
		}
		for k, v := range line.env {
			env = append(env, k+"="+v)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goTool, append([]string{"build", "-o", binary}, line.args...)...)
		cmd.Dir = filepath.Join(repoRoot(t), "go", "services", "catalog")
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build %s: %w\n%s", strings.Join(line.args, " "), err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("the image's build line failed (%s): %v", todo(1), buildErr)
	}
	return binary, line
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func TestTheImageBuildsAStaticBinary(t *testing.T) {
	path, line := build(t)
	file, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = file.Close() }()
	for _, prog := range file.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Fatalf("the binary is dynamically linked (it needs the loader and libc, built with CGO_ENABLED=%q): "+
				"distroless/static and scratch have no libc, so it would not even start. Build with CGO_ENABLED=0 (%s)",
				line.env["CGO_ENABLED"], todo(1))
		}
	}
	if libs, _ := file.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("the binary needs shared libraries %v: build with CGO_ENABLED=0 (%s)", libs, todo(1))
	}
	if file.Section(".symtab") != nil {
		t.Errorf("the binary keeps its symbol table: build with -ldflags='-s -w' (%s)", todo(1))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), filepath.Join(repoRoot(t), "go", "services", "catalog")) {
		t.Errorf("the binary contains this machine's source paths: build with -trimpath (%s)", todo(1))
	}
}

// entrypoint is the final stage's ENTRYPOINT then CMD, both required in exec form.
func entrypoint(t *testing.T, final stage) []string {
	t.Helper()
	last := map[string]string{}
	for _, in := range final.body {
		if in.keyword == "ENTRYPOINT" || in.keyword == "CMD" {
			last[in.keyword] = in.args
		}
	}
	var argv []string
	for _, keyword := range []string{"ENTRYPOINT", "CMD"} {
		args, ok := last[keyword]
		if !ok {
			continue
		}
		var parsed []string
		if err := json.Unmarshal([]byte(args), &parsed); err != nil {
			t.Fatalf("%s %s is in shell form: /bin/sh would be PID 1 — and the runtime image has no /bin/sh at all (%s)", keyword, args, todo(2))
		}
		argv = append(argv, parsed...)
	}
	if len(argv) == 0 {
		t.Fatalf("no ENTRYPOINT in the final stage (%s)", todo(2))
	}
	return argv
}

func option(t *testing.T, argv []string, name string) string {
	t.Helper()
	at := slices.Index(argv, name)
	if at < 0 || at+1 >= len(argv) {
		t.Fatalf("the command %q has no %s (%s)", argv, name, todo(2))
	}
	return argv[at+1]
}

func TestTheImageCommandServesAndDrainsOnSIGTERM(t *testing.T) {
	stages := parseDockerfile(t)
	path, line := build(t)
	final := stages[len(stages)-1]
	argv := entrypoint(t, final)
	copied := ""
	env := map[string]string{}
	var exposed []string
	for _, in := range final.body {
		switch in.keyword {
		case "COPY":
			ws := strings.Fields(in.args)
			if len(ws) >= 3 && strings.EqualFold(ws[0], "--from="+line.stage) && ws[1] == line.output {
				copied = ws[len(ws)-1]
			}
		case "ENV":
			for k, v := range envPairs(in.args) {
				env[k] = v
			}
		case "EXPOSE":
			exposed = append(exposed, strings.Fields(in.args)...)
		}
	}
	if copied == "" {
		t.Fatalf("the final stage does not COPY --from=%s %s: the binary never reaches the image (%s)", line.stage, line.output, todo(1))
	}
	if strings.HasSuffix(copied, "/") { // COPY into a directory keeps the file's name
		copied += filepath.Base(line.output)
	}
	if argv[0] != copied {
		t.Fatalf("the ENTRYPOINT runs %q, but the binary is copied to %q (%s)", argv[0], copied, todo(2))
	}
	if host := option(t, argv, "--host"); host != "0.0.0.0" {
		t.Fatalf("--host %s: inside a container, listen on 0.0.0.0 or nothing outside reaches the port (%s)", host, todo(2))
	}
	port := option(t, argv, "--port")
	if !slices.Contains(exposed, port) && !slices.Contains(exposed, port+"/tcp") {
		t.Errorf("EXPOSE the port the command listens on (%s); found %v (%s)", port, exposed, todo(2))
	}

	// The same command, here: loopback, a free port, the image's environment.
	local := slices.Clone(argv[1:])
	local[slices.Index(local, "--host")+1] = "127.0.0.1"
	local[slices.Index(local, "--port")+1] = "0"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, local...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "CATALOG_DRAIN_DELAY_MS=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	addr := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stderr)
		sent := false
		for scanner.Scan() {
			var entry struct {
				Addr string `json:"addr"`
			}
			if !sent && json.Unmarshal(scanner.Bytes(), &entry) == nil && entry.Addr != "" {
				addr <- entry.Addr
				sent = true
			}
		}
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-time.After(20 * time.Second):
		t.Fatalf("the image's command %q did not log the address it listens on within 20 s", argv)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	for _, probe := range []string{"/healthz", "/readyz"} {
		resp, err := client.Get(base + probe)
		if err != nil {
			t.Fatalf("GET %s: %v", probe, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200 (the orchestrator's probes ask it)", probe, resp.StatusCode)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the image's command exited with %v on SIGTERM (docker stop): a drained stop exits 0", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the image's command did not stop within 15 s of SIGTERM")
	}
}
