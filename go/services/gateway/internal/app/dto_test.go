package app

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	recv1 "languagetracks.example/go/gen/recommendations/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

func indent(t *testing.T, v any) []byte {
	t.Helper()
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// jsonNames are the json tag names of a DTO struct type.
func jsonNames(typ reflect.Type) []string {
	var names []string
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// protoNames are a message's field names, less the ones the edge carries elsewhere.
func protoNames(m protoreflect.ProtoMessage, elsewhere ...string) []string {
	var names []string
	fields := m.ProtoReflect().Descriptor().Fields()
	for i := range fields.Len() {
		if name := string(fields.Get(i).Name()); !slices.Contains(elsewhere, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// TestDTOFieldsMatchTheProto fails when the contract gains, loses or renames a field the DTO
// does not follow: the JSON names ARE the proto names.
func TestDTOFieldsMatchTheProto(t *testing.T) {
	cases := []struct {
		name      string
		dto       any
		message   protoreflect.ProtoMessage
		elsewhere []string
	}{
		{"Recommendation", RecommendationDTO{}, &recv1.Recommendation{}, nil},
		{"RecommendResponse", RecommendationsDTO{}, &recv1.RecommendResponse{}, nil},
		{"StreamRecommendationsResponse", StreamItemDTO{}, &recv1.StreamRecommendationsResponse{}, nil},
		{"RecordFeedbackResponse", FeedbackResultDTO{}, &recv1.RecordFeedbackResponse{}, nil},
		// The key is the Idempotency-Key header, not a body field.
		{"RecordFeedbackRequest", FeedbackDTO{}, &recv1.RecordFeedbackRequest{}, []string{"idempotency_key"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := jsonNames(reflect.TypeOf(tc.dto)), protoNames(tc.message, tc.elsewhere...); !slices.Equal(got, want) {
				t.Errorf("JSON fields %v, proto fields %v", got, want)
			}
		})
	}
	// RecommendQuery comes from the path and the query string: one Go field per proto field.
	if got, want := reflect.TypeFor[RecommendQuery]().NumField(), (&recv1.RecommendRequest{}).ProtoReflect().Descriptor().Fields().Len(); got != want {
		t.Errorf("RecommendQuery has %d fields, RecommendRequest %d", got, want)
	}
}

// TestRoundTrips maps every message proto → DTO → proto (and back) and expects no change.
func TestRoundTrips(t *testing.T) {
	rec := &recv1.Recommendation{ItemId: "es-101", Title: "Ser y estar", Score: 0.875, Reason: "next in your path", Tags: []string{"grammar"}, Difficulty: recv1.Difficulty_DIFFICULTY_ADVANCED}
	resp := &recv1.RecommendResponse{Recommendations: []*recv1.Recommendation{rec, {ItemId: "es-102", Title: "Por y para", Score: 0.5}}, ModelVersion: "popularity-v1"}
	item := &recv1.StreamRecommendationsResponse{Recommendation: rec, Position: 3}
	result := &recv1.RecordFeedbackResponse{FeedbackId: "fb-1", Duplicate: true}
	req := &recv1.RecommendRequest{UserId: "u1", Language: "es", Limit: 5, ExcludeItemIds: []string{"a", "b"}, MaxDifficulty: recv1.Difficulty_DIFFICULTY_INTERMEDIATE.Enum()}
	feedback := &recv1.RecordFeedbackRequest{IdempotencyKey: "key-12345", UserId: "u1", ItemId: "es-101", Kind: recv1.FeedbackKind_FEEDBACK_KIND_COMPLETED}
	key, dto := FeedbackFromProto(feedback)
	kind, ok := FeedbackKindFromJSON(dto.Kind)
	if !ok {
		t.Fatalf("kind %q does not map back", dto.Kind)
	}
	cases := []struct {
		name      string
		in, round proto.Message
	}{
		{"Recommendation", rec, RecommendationFromProto(rec).ToProto()},
		{"RecommendResponse", resp, RecommendationsFromProto(resp).ToProto()},
		{"StreamRecommendationsResponse", item, StreamItemFromProto(item).ToProto()},
		{"RecordFeedbackResponse", result, FeedbackResultFromProto(result).ToProto()},
		{"RecommendRequest", req, RecommendQueryFromProto(req).ToProto()},
		{"RecordFeedbackRequest", feedback, FeedbackToProto(key, dto, kind)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !proto.Equal(tc.in, tc.round) {
				t.Errorf("round trip changed the message:\n in: %v\nout: %v", tc.in, tc.round)
			}
		})
	}
	if got := RecommendQueryFromProto(req).StreamRequestToProto(); got.GetMaxItems() != 5 || got.GetUserId() != "u1" || got.GetLanguage() != "es" {
		t.Errorf("stream request = %v", got)
	}
}

func TestFeedbackKinds(t *testing.T) {
	for _, tc := range []struct {
		json string
		kind recv1.FeedbackKind
		ok   bool
	}{
		{"clicked", recv1.FeedbackKind_FEEDBACK_KIND_CLICKED, true},
		{"dismissed", recv1.FeedbackKind_FEEDBACK_KIND_DISMISSED, true},
		{"completed", recv1.FeedbackKind_FEEDBACK_KIND_COMPLETED, true},
		{"unspecified", recv1.FeedbackKind_FEEDBACK_KIND_UNSPECIFIED, false},
		{"CLICKED", recv1.FeedbackKind_FEEDBACK_KIND_UNSPECIFIED, false},
		{"", recv1.FeedbackKind_FEEDBACK_KIND_UNSPECIFIED, false},
	} {
		kind, ok := FeedbackKindFromJSON(tc.json)
		if kind != tc.kind || ok != tc.ok {
			t.Errorf("FeedbackKindFromJSON(%q) = %v, %v; want %v, %v", tc.json, kind, ok, tc.kind, tc.ok)
		}
		if ok && FeedbackKindToJSON(kind) != tc.json {
			t.Errorf("FeedbackKindToJSON(%v) = %q", kind, FeedbackKindToJSON(kind))
		}
	}
	// Every named kind but UNSPECIFIED has a JSON spelling.
	for number, name := range recv1.FeedbackKind_name {
		if kind := recv1.FeedbackKind(number); kind != recv1.FeedbackKind_FEEDBACK_KIND_UNSPECIFIED && FeedbackKindToJSON(kind) == "" {
			t.Errorf("%s has no JSON spelling", name)
		}
	}
}

// TestContractV11 covers the fields contract v1.1 added: a v1 answer (no tags, no difficulty)
// maps to [] and "", an enum number newer than this gateway to "", and max_difficulty keeps its
// presence (absent and DIFFICULTY_UNSPECIFIED are different requests).
func TestContractV11(t *testing.T) {
	if got := RecommendationFromProto(&recv1.Recommendation{ItemId: "a"}); got.Tags == nil || len(got.Tags) != 0 || got.Difficulty != "" {
		t.Errorf("v1 answer = %+v; want tags [] and difficulty \"\"", got)
	}
	if got := DifficultyToJSON(recv1.Difficulty(42)); got != "" {
		t.Errorf("DifficultyToJSON(42) = %q; want \"\"", got)
	}
	for name, d := range difficulties {
		if back, ok := DifficultyFromJSON(name); !ok || back != d || DifficultyToJSON(d) != name {
			t.Errorf("%q does not round-trip", name)
		}
	}
	for number, name := range recv1.Difficulty_name {
		if d := recv1.Difficulty(number); d != recv1.Difficulty_DIFFICULTY_UNSPECIFIED && DifficultyToJSON(d) == "" {
			t.Errorf("%s has no JSON spelling", name)
		}
	}
	if q := RecommendQueryFromProto(&recv1.RecommendRequest{UserId: "u"}); q.MaxDifficulty != nil || q.ToProto().MaxDifficulty != nil {
		t.Errorf("an absent max_difficulty became present: %+v", q)
	}
	unset := &recv1.RecommendRequest{UserId: "u", MaxDifficulty: recv1.Difficulty_DIFFICULTY_UNSPECIFIED.Enum()}
	if round := RecommendQueryFromProto(unset).ToProto(); round.MaxDifficulty == nil {
		t.Errorf("max_difficulty set to UNSPECIFIED lost its presence")
	}
}

// TestDTOJSONGolden pins the wire shape of every DTO.
func TestDTOJSONGolden(t *testing.T) {
	rec := RecommendationDTO{ItemID: "es-101", Title: "Ser y estar", Score: 0.875, Reason: "next in your path", Tags: []string{"grammar"}, Difficulty: "advanced"}
	golden(t, "recommendations.json", indent(t, RecommendationsDTO{Recommendations: []RecommendationDTO{rec}, ModelVersion: "popularity-v1"}))
	golden(t, "recommendations_empty.json", indent(t, RecommendationsFromProto(&recv1.RecommendResponse{ModelVersion: "popularity-v1"})))
	golden(t, "stream_item.json", indent(t, StreamItemDTO{Recommendation: rec, Position: 0}))
	golden(t, "feedback.json", indent(t, FeedbackDTO{UserID: "u1", ItemID: "es-101", Kind: "clicked"}))
	golden(t, "feedback_result.json", indent(t, FeedbackResultDTO{FeedbackID: "fb-1", Duplicate: false}))
}

func TestBudget(t *testing.T) {
	b := Budget{Max: time.Second, Margin: 50 * time.Millisecond}
	for _, tc := range []struct {
		header string
		want   time.Duration
		err    bool
	}{
		{"", time.Second, false},
		{"300", 300 * time.Millisecond, false},
		{"0", 0, false},
		{"5000", time.Second, false}, // capped by the server's budget
		{"-1", 0, true},
		{"1.5", 0, true},
		{"abc", 0, true},
	} {
		got, err := b.RequestBudget(tc.header)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("RequestBudget(%q) = %v, %v; want %v, error %v", tc.header, got, err, tc.want, tc.err)
		}
	}
	start := time.Unix(1000, 0)
	if d, ok := b.CallDeadline(start, 300*time.Millisecond, start.Add(10*time.Millisecond)); !ok || !d.Equal(start.Add(250*time.Millisecond)) {
		t.Errorf("CallDeadline = %v, %v; want start+250ms, true", d, ok)
	}
	if _, ok := b.CallDeadline(start, 300*time.Millisecond, start.Add(250*time.Millisecond)); ok {
		t.Error("a budget whose remainder is all margin must count as spent")
	}
	if _, ok := b.CallDeadline(start, 40*time.Millisecond, start); ok {
		t.Error("a budget below the margin must count as spent")
	}
}
