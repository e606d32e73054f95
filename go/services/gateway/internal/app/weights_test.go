package app

import (
	"errors"
	"strings"
	"testing"
)

func TestParseUpstreams(t *testing.T) {
	ups, err := ParseUpstreams(" v1=127.0.0.1:5001, v2 = grpc://127.0.0.1:5002 ")
	if err != nil || len(ups) != 2 || ups[0] != (Upstream{"v1", "127.0.0.1:5001"}) || ups[1] != (Upstream{"v2", "grpc://127.0.0.1:5002"}) {
		t.Fatalf("ParseUpstreams = %v, %v", ups, err)
	}
	for _, tc := range []struct{ raw, want string }{
		{"127.0.0.1:5001", "is not name=host:port"},
		{"v1=", "is not name=host:port"},
		{"v1=a:1,,v2=b:2", "is not name=host:port"},
		{"=a:1", "upstream name"},
		{"v 1=a:1", "upstream name"},
		{`v1{x}=a:1`, "upstream name"},
		{"v1=a:1,v1=b:2", `"v1" is named twice`},
	} {
		if _, err := ParseUpstreams(tc.raw); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseUpstreams(%q) err %v, want %q", tc.raw, err, tc.want)
		}
	}
}

func TestParseWeights(t *testing.T) {
	names := []string{"v1", "v2"}
	for _, tc := range []struct {
		raw  string
		want Weights
	}{
		{"v1=100,v2=0", Weights{"v1": 100, "v2": 0}},
		{"v1=95, v2=5", Weights{"v1": 95, "v2": 5}},
		{"v2=100", Weights{"v1": 0, "v2": 100}},
	} {
		got, err := ParseWeights(tc.raw, names)
		if err != nil || got.String(names) != tc.want.String(names) || len(got) != 2 {
			t.Errorf("ParseWeights(%q) = %v, %v; want %v", tc.raw, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ raw, want string }{
		{"v1=90,v2=5", "add up to 95, want 100"},
		{"v1=100,v3=0", `unknown upstream "v3" (known: v1, v2)`},
		{"v1=101,v2=-1", "must be a whole number from 0 to 100"},
		{"v1=50.5,v2=49.5", "is not name=whole number"},
		{"v1", "is not name=whole number"},
		{"v1=50,v1=50", "weighted twice"},
	} {
		_, err := ParseWeights(tc.raw, names)
		if !errors.Is(err, ErrWeights) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseWeights(%q) err %v, want %q", tc.raw, err, tc.want)
		}
	}
}

func TestValidateWeightsDoesNotAlias(t *testing.T) {
	in := Weights{"a": 100}
	out, err := ValidateWeights(in, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	out["a"] = 0
	if in["a"] != 100 || len(in) != 1 {
		t.Errorf("the input changed: %v", in)
	}
}
