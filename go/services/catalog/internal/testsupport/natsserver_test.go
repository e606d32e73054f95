package testsupport

import (
	"strings"
	"testing"
)

func TestStartNATSServerWithoutABinaryFailsOnlyUnderCI(t *testing.T) {
	t.Setenv("NATS_SERVER", t.TempDir()+"/no-nats-server")
	t.Setenv("CI", "true")
	r := &recorder{TB: t}
	if s := StartNATSServer(r); s != nil || !strings.Contains(r.fatal, "required when CI=true") || r.skip != "" {
		t.Errorf("CI=true: fatal %q, skip %q; want a failure naming NATS_SERVER", r.fatal, r.skip)
	}
	t.Setenv("CI", "")
	r = &recorder{TB: t}
	if s := StartNATSServer(r); s != nil || !strings.Contains(r.skip, "NATS_SERVER=") || r.fatal != "" {
		t.Errorf("outside CI: fatal %q, skip %q; want a skip naming NATS_SERVER", r.fatal, r.skip)
	}
}

// A killed server comes back on the same port and store (that the stored messages survive is
// proven in outbox: TestBrokerKilledMidStreamLosesNothing).
func TestNATSServerRestartsOnItsPortAndStore(t *testing.T) {
	s := StartNATSServer(t)
	url := s.URL
	s.Kill()
	if err := s.jetStreamAnswers(); err == nil {
		t.Fatal("a killed server still answers")
	}
	s.Start(t)
	if s.URL != url {
		t.Fatalf("restarted on %s, want %s", s.URL, url)
	}
	s.Stop()
	s.Stop() // twice is fine
}
