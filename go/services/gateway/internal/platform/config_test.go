package platform

import (
	"errors"
	"strings"
	"testing"
)

func TestLoadUpstreams(t *testing.T) {
	for _, tc := range []struct {
		name    string
		vars    map[string]string
		names   string
		weights string
	}{
		{"single address", map[string]string{"GATEWAY_RECOMMENDER_ADDR": "127.0.0.1:1"}, "recommender", "recommender=100"},
		{"named, default weights", map[string]string{"GATEWAY_RECOMMENDERS": "v1=a:1,v2=b:2"}, "v1,v2", "v1=100,v2=0"},
		{"named with weights", map[string]string{"GATEWAY_RECOMMENDERS": "v1=a:1,v2=b:2", "GATEWAY_WEIGHTS": "v1=95,v2=5"}, "v1,v2", "v1=95,v2=5"},
		{"named wins over the single address", map[string]string{"GATEWAY_RECOMMENDERS": "v1=a:1", "GATEWAY_RECOMMENDER_ADDR": "c:3"}, "v1", "v1=100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(nil, func(k string) string { return tc.vars[k] })
			if err != nil {
				t.Fatal(err)
			}
			names := make([]string, 0, len(cfg.Upstreams))
			for _, u := range cfg.Upstreams {
				names = append(names, u.Name)
			}
			joined := strings.Join(names, ",")
			if joined != tc.names || cfg.Weights.String(names) != tc.weights {
				t.Errorf("upstreams %s weights %s, want %s and %s", joined, cfg.Weights.String(names), tc.names, tc.weights)
			}
		})
	}
}

func TestLoadRejectsBadUpstreamsAsUsage(t *testing.T) {
	for _, vars := range []map[string]string{
		{},
		{"GATEWAY_RECOMMENDERS": "v1"},
		{"GATEWAY_RECOMMENDERS": "v1=a:1,v1=b:2"},
		{"GATEWAY_RECOMMENDERS": "v1=a:1,v2=b:2", "GATEWAY_WEIGHTS": "v1=50,v2=49"},
		{"GATEWAY_RECOMMENDERS": "v1=a:1,v2=b:2", "GATEWAY_WEIGHTS": "v9=100"},
	} {
		_, err := Load(nil, func(k string) string { return vars[k] })
		if !errors.Is(err, ErrUsage) {
			t.Errorf("%v: err %v, want ErrUsage", vars, err)
		}
	}
}
