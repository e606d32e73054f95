package app

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Upstream is one named recommender the gateway may route to (GATEWAY_RECOMMENDERS).
type Upstream struct {
	// Name labels the upstream in weights, metrics and logs ("v1", "v2").
	Name string
	// Addr is its host:port (a leading http:// or grpc:// is dropped by the dialer).
	Addr string
}

// WeightTotal is what the weights of all upstreams add up to: a weight is a percentage.
const WeightTotal = 100

// upstreamName is a name as GATEWAY_RECOMMENDERS and the admin API accept it: a Prometheus
// label value that reads well in a URL, a log line and a dashboard.
var upstreamName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// ParseUpstreams reads "v1=127.0.0.1:5001,v2=127.0.0.1:5002": at least one, names unique.
func ParseUpstreams(raw string) ([]Upstream, error) {
	var ups []Upstream
	seen := map[string]bool{}
	for part := range strings.SplitSeq(raw, ",") {
		part = strings.TrimSpace(part)
		name, addr, ok := strings.Cut(part, "=")
		name, addr = strings.TrimSpace(name), strings.TrimSpace(addr)
		switch {
		case !ok || addr == "":
			return nil, fmt.Errorf("%q is not name=host:port", part)
		case !upstreamName.MatchString(name):
			return nil, fmt.Errorf("upstream name %q must be 1-32 of A-Z a-z 0-9 . _ - (starting with a letter or digit)", name)
		case seen[name]:
			return nil, fmt.Errorf("upstream %q is named twice", name)
		}
		seen[name] = true
		ups = append(ups, Upstream{Name: name, Addr: addr})
	}
	return ups, nil
}

// Weights is the share (0..100, summing to 100) of new requests each upstream gets, by name.
// A Weights that passed ValidateWeights names every upstream (an omitted one is 0).
type Weights map[string]int

// ErrWeights marks weights that are not a valid table; the message says why.
var ErrWeights = errors.New("invalid weights")

// ValidateWeights checks w against the upstream names: known names only, each 0..100, the sum
// 100. It returns a complete table (names w omits get 0), never aliasing w.
func ValidateWeights(w Weights, names []string) (Weights, error) {
	known := make(map[string]bool, len(names))
	for _, n := range names {
		known[n] = true
	}
	out := make(Weights, len(names))
	for _, n := range names {
		out[n] = 0
	}
	sum := 0
	for name, v := range w {
		if !known[name] {
			return nil, fmt.Errorf("%w: unknown upstream %q (known: %s)", ErrWeights, name, strings.Join(names, ", "))
		}
		if v < 0 || v > WeightTotal {
			return nil, fmt.Errorf("%w: %s=%d must be a whole number from 0 to %d", ErrWeights, name, v, WeightTotal)
		}
		out[name] = v
		sum += v
	}
	if sum != WeightTotal {
		return nil, fmt.Errorf("%w: the weights add up to %d, want %d", ErrWeights, sum, WeightTotal)
	}
	return out, nil
}

// ParseWeights reads GATEWAY_WEIGHTS, "v1=100,v2=0", and validates it against names.
func ParseWeights(raw string, names []string) (Weights, error) {
	w := Weights{}
	for part := range strings.SplitSeq(raw, ",") {
		part = strings.TrimSpace(part)
		name, value, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if !ok || err != nil {
			return nil, fmt.Errorf("%w: %q is not name=whole number", ErrWeights, part)
		}
		if _, dup := w[name]; dup {
			return nil, fmt.Errorf("%w: %q is weighted twice", ErrWeights, name)
		}
		w[name] = n
	}
	return ValidateWeights(w, names)
}

// String is "v1=95,v2=5" in the order of names (for logs and errors).
func (w Weights) String(names []string) string {
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, n+"="+strconv.Itoa(w[n]))
	}
	return strings.Join(parts, ",")
}
