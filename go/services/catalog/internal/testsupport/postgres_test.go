package testsupport

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// fakeStarters records which way was tried; each way fails with its error, or starts a server
// whose DSN names it.
type fakeStarters struct {
	engineErr, containerErr, localErr error
	tried                             []string
	stopped                           []string
}

func (f *fakeStarters) starters() starters {
	way := func(name string, err error) func(context.Context) (server, error) {
		return func(context.Context) (server, error) {
			f.tried = append(f.tried, name)
			if err != nil {
				return server{}, err
			}
			return server{dsnBase: "postgres://" + name + "/", stop: func() { f.stopped = append(f.stopped, name) }}, nil
		}
	}
	return starters{
		engine: func(context.Context) error {
			f.tried = append(f.tried, "engine")
			return f.engineErr
		},
		container: way("container", f.containerErr),
		local:     way("local", f.localErr),
	}
}

func TestStartPostgresChoosesContainerOnlyWhenAnEngineAnswers(t *testing.T) {
	noEngine := errors.New("dial unix /var/run/docker.sock: connect: no such file or directory")
	cases := []struct {
		name             string
		fake             fakeStarters
		wantTried        []string
		wantHow, wantDSN string
		wantErr          []string // substrings of the kept error; none when a server runs
	}{
		{
			name:      "no engine: the local server, the container is never tried",
			fake:      fakeStarters{engineErr: noEngine},
			wantTried: []string{"engine", "local"},
			wantHow:   howLocal, wantDSN: "postgres://local/",
		},
		{
			name:      "an engine answers: the container, no local server",
			fake:      fakeStarters{},
			wantTried: []string{"engine", "container"},
			wantHow:   howContainer, wantDSN: "postgres://container/",
		},
		{
			name:      "the container fails: the local server after all",
			fake:      fakeStarters{containerErr: errors.New("pull access denied")},
			wantTried: []string{"engine", "container", "local"},
			wantHow:   howLocal, wantDSN: "postgres://local/",
		},
		{
			name:      "nothing starts: every reason is kept",
			fake:      fakeStarters{engineErr: noEngine, localErr: errors.New("no /usr/lib/postgresql/*/bin/initdb")},
			wantTried: []string{"engine", "local"},
			wantErr:   []string{"no Docker engine", "docker.sock", "local postgres", "initdb"},
		},
		{
			name:      "container and local both fail",
			fake:      fakeStarters{containerErr: errors.New("pull access denied"), localErr: errors.New("initdb: exit status 1")},
			wantTried: []string{"engine", "container", "local"},
			wantErr:   []string{"testcontainers failed: pull access denied", "local postgres: initdb"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := tc.fake
			p := startWith(t.Context(), fake.starters())
			if got, want := strings.Join(fake.tried, ","), strings.Join(tc.wantTried, ","); got != want {
				t.Errorf("tried %s, want %s", got, want)
			}
			if tc.wantErr != nil {
				if p.err == nil {
					t.Fatalf("no error kept, want one naming %q", tc.wantErr)
				}
				for _, part := range tc.wantErr {
					if !strings.Contains(p.err.Error(), part) {
						t.Errorf("error %q does not say %q", p.err, part)
					}
				}
				return
			}
			if p.err != nil || p.How != tc.wantHow || p.dsnBase != tc.wantDSN {
				t.Fatalf("got (%q, %q, %v), want (%q, %q, nil)", p.How, p.dsnBase, p.err, tc.wantHow, tc.wantDSN)
			}
			p.Stop()
			if len(fake.stopped) != 1 {
				t.Errorf("Stop stopped %v, want the one server", fake.stopped)
			}
		})
	}
}

// recorder is a testing.TB that remembers Fatalf and Skipf instead of ending the test.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Fatalf(f string, args ...any) { r.fatal = fmt.Sprintf(f, args...) }
func (r *recorder) Skipf(f string, args ...any)  { r.skip = fmt.Sprintf(f, args...) }

func TestRequireFailsWithoutPostgresOnlyUnderCI(t *testing.T) {
	p := &Postgres{err: errors.New("no Docker engine; local postgres: no initdb")}
	t.Setenv("CI", "true")
	r := &recorder{TB: t}
	p.Require(r)
	if !strings.Contains(r.fatal, "required when CI=true") || r.skip != "" {
		t.Errorf("CI=true: fatal %q, skip %q; want a failure", r.fatal, r.skip)
	}
	t.Setenv("CI", "")
	r = &recorder{TB: t}
	p.Require(r)
	if !strings.Contains(r.skip, "unavailable") || r.fatal != "" {
		t.Errorf("outside CI: fatal %q, skip %q; want a skip", r.fatal, r.skip)
	}
}

func TestDockerEngineProbeAnswersForASocketOnly(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+t.TempDir()+"/docker.sock")
	if err := dockerEngine(t.Context()); err == nil {
		t.Error("a missing socket answered")
	}
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
	if err := dockerEngine(t.Context()); err != nil {
		t.Errorf("a remote engine is left to testcontainers, got %v", err)
	}
}
