// Command go-canned is the Go baseline of `pnpm bench`: a bare net/http server answering
// GET /products/{id} with a canned body (../canned.json, shaped like a catalog answer). Its
// requests/s are the standard library's ceiling on this machine.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 8000, "port to listen on")
	flag.Parse()
	body, err := os.ReadFile(filepath.Join("..", "canned.json"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-canned: %v\n", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /products/{id}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	addr := net.JoinHostPort(*host, strconv.Itoa(*port))
	if err := http.ListenAndServe(addr, mux); err != nil {
		fmt.Fprintf(os.Stderr, "go-canned: %v\n", err)
		os.Exit(1)
	}
}
