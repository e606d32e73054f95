// Package platform holds what every service of the kit needs and no use case cares about:
// command-line configuration, the JSON logger, and serving HTTP with a graceful shutdown.
package platform

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
)

// Config is the service's command-line configuration.
type Config struct {
	// Host is the address to listen on, e.g. 127.0.0.1.
	Host string
	// Port is the TCP port; 0 picks a free one (the log line says which).
	Port int
	// DB is the --db value, the storage to open (the CATALOG_DB syntax); DBSet says whether
	// --db was given at all: then it wins over CATALOG_DB.
	DB    string
	DBSet bool
}

// Addr is host:port for net.Listen.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// ErrUsage marks a bad command line; main prints it as one line and exits 2.
var ErrUsage = errors.New("usage: catalog [--host HOST] [--port PORT] [--db STORAGE]")

// ParseFlags reads --host, --port and --db (also -host/-port/-db, as the flag package allows).
// --db is only checked for emptiness here: its syntax is the storage adapters' (CATALOG_DB's).
func ParseFlags(args []string) (Config, error) {
	fs := flag.NewFlagSet("catalog", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned as one line, not printed with the usage
	cfg := Config{}
	fs.StringVar(&cfg.Host, "host", "127.0.0.1", "address to listen on")
	fs.IntVar(&cfg.Port, "port", 8000, "TCP port to listen on (0: any free port)")
	fs.StringVar(&cfg.DB, "db", "", "storage, as CATALOG_DB: memory, :memory:, sqlite:<path> or a postgres:// URL (wins over CATALOG_DB)")
	if err := fs.Parse(args); err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	fs.Visit(func(f *flag.Flag) { cfg.DBSet = cfg.DBSet || f.Name == "db" })
	if cfg.DBSet && cfg.DB == "" {
		return Config{}, fmt.Errorf("%w: --db must not be empty", ErrUsage)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return Config{}, fmt.Errorf("%w: --port must be 0-65535, got %d", ErrUsage, cfg.Port)
	}
	if cfg.Host == "" {
		return Config{}, fmt.Errorf("%w: --host must not be empty", ErrUsage)
	}
	return cfg, nil
}
