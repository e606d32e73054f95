package platform_test

import (
	"errors"
	"testing"

	"languagetracks.example/go/services/catalog/internal/platform"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // Addr(), or "" for a usage error
	}{
		{"defaults", nil, "127.0.0.1:8000"},
		{"both", []string{"--host", "0.0.0.0", "--port", "9000"}, "0.0.0.0:9000"},
		{"equals form", []string{"--port=0"}, "127.0.0.1:0"},
		{"unknown flag", []string{"--bogus"}, ""},
		{"port not a number", []string{"--port", "http"}, ""},
		{"port too large", []string{"--port", "70000"}, ""},
		{"negative port", []string{"--port", "-1"}, ""},
		{"stray argument", []string{"serve"}, ""},
		{"empty host", []string{"--host", ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := platform.ParseFlags(tt.args)
			if tt.want == "" {
				if !errors.Is(err, platform.ErrUsage) {
					t.Fatalf("ParseFlags(%q) error = %v, want ErrUsage", tt.args, err)
				}
				return
			}
			if err != nil || cfg.Addr() != tt.want {
				t.Fatalf("ParseFlags(%q) = %v, %v; want %s", tt.args, cfg.Addr(), err, tt.want)
			}
		})
	}
}

func TestParseFlagsDB(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantDB    string
		wantSet   bool
		wantUsage bool
	}{
		{"not given: CATALOG_DB decides", nil, "", false, false},
		{"given", []string{"--db", "sqlite:/tmp/c.db"}, "sqlite:/tmp/c.db", true, false},
		{"equals form", []string{"-db=memory"}, "memory", true, false},
		{"empty", []string{"--db", ""}, "", false, true},
		{"missing value", []string{"--db"}, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := platform.ParseFlags(tt.args)
			if tt.wantUsage {
				if !errors.Is(err, platform.ErrUsage) {
					t.Fatalf("ParseFlags(%q) error = %v, want ErrUsage", tt.args, err)
				}
				return
			}
			if err != nil || cfg.DB != tt.wantDB || cfg.DBSet != tt.wantSet {
				t.Fatalf("ParseFlags(%q) = (%q, %v), %v; want (%q, %v)", tt.args, cfg.DB, cfg.DBSet, err, tt.wantDB, tt.wantSet)
			}
		})
	}
}
