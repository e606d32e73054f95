// Package app holds what the gateway is about, apart from HTTP and gRPC plumbing: the JSON
// DTOs of the HTTP edge, their field-by-field mapping to and from the proto messages of
// proto/recommendations.proto (DTO parity, tested both ways), and the request budget that
// aligns the gRPC deadline with the HTTP request's.
package app

import (
	recv1 "languagetracks.example/go/gen/recommendations/v1"
)

// JSON names are the proto field names (snake_case), as in the catalogs; parity_test.go
// walks the proto descriptors so a field added to the contract without a DTO field fails.

// RecommendationDTO is one ranked item: proto Recommendation.
type RecommendationDTO struct {
	ItemID string  `json:"item_id"`
	Title  string  `json:"title"`
	Score  float64 `json:"score"`
	Reason string  `json:"reason"`
	// Tags and Difficulty came with contract v1.1; Tags is [] (never null) when absent.
	Tags []string `json:"tags"`
	// Difficulty is "beginner", "intermediate" or "advanced" ("" when the recommender did not say).
	Difficulty string `json:"difficulty"`
}

// RecommendationsDTO answers GET /users/{id}/recommendations: proto RecommendResponse.
type RecommendationsDTO struct {
	Recommendations []RecommendationDTO `json:"recommendations"`
	ModelVersion    string              `json:"model_version"`
}

// StreamItemDTO is one NDJSON line of GET /users/{id}/recommendations/stream: proto
// StreamRecommendationsResponse.
type StreamItemDTO struct {
	Recommendation RecommendationDTO `json:"recommendation"`
	Position       int32             `json:"position"`
}

// FeedbackDTO is the body of POST /feedback: proto RecordFeedbackRequest without
// idempotency_key, which travels in the Idempotency-Key header.
type FeedbackDTO struct {
	UserID string `json:"user_id"`
	ItemID string `json:"item_id"`
	// Kind is "clicked", "dismissed" or "completed" (FeedbackKind without its prefix).
	Kind string `json:"kind"`
}

// FeedbackResultDTO answers POST /feedback: proto RecordFeedbackResponse.
type FeedbackResultDTO struct {
	FeedbackID string `json:"feedback_id"`
	Duplicate  bool   `json:"duplicate"`
}

// RecommendQuery is GET /users/{id}/recommendations: proto RecommendRequest (user_id from the
// path, the rest from the query string).
type RecommendQuery struct {
	UserID         string
	Language       string
	Limit          int32
	ExcludeItemIDs []string
	// MaxDifficulty (v1.1) is nil when the caller set no cap: proto3 `optional`, so absent and
	// DIFFICULTY_UNSPECIFIED differ on the wire.
	MaxDifficulty *recv1.Difficulty
}

// feedbackKinds maps the JSON spelling of a kind to the proto enum and back.
var feedbackKinds = map[string]recv1.FeedbackKind{
	"clicked":   recv1.FeedbackKind_FEEDBACK_KIND_CLICKED,
	"dismissed": recv1.FeedbackKind_FEEDBACK_KIND_DISMISSED,
	"completed": recv1.FeedbackKind_FEEDBACK_KIND_COMPLETED,
}

// difficulties maps the JSON spelling of a Difficulty to the proto enum and back.
var difficulties = map[string]recv1.Difficulty{
	"beginner":     recv1.Difficulty_DIFFICULTY_BEGINNER,
	"intermediate": recv1.Difficulty_DIFFICULTY_INTERMEDIATE,
	"advanced":     recv1.Difficulty_DIFFICULTY_ADVANCED,
}

// DifficultyFromJSON is the proto enum for a JSON difficulty; ok is false for anything else.
func DifficultyFromJSON(d string) (recv1.Difficulty, bool) {
	v, ok := difficulties[d]
	return v, ok
}

// DifficultyToJSON is the JSON spelling of a proto difficulty ("" for UNSPECIFIED or a value
// newer than this gateway: an unknown enum number is not an error).
func DifficultyToJSON(d recv1.Difficulty) string {
	for name, v := range difficulties {
		if v == d {
			return name
		}
	}
	return ""
}

// FeedbackKindFromJSON is the proto enum for a JSON kind; ok is false for anything else,
// including "unspecified".
func FeedbackKindFromJSON(kind string) (recv1.FeedbackKind, bool) {
	k, ok := feedbackKinds[kind]
	return k, ok
}

// FeedbackKindToJSON is the JSON spelling of a proto kind ("" for UNSPECIFIED or unknown).
func FeedbackKindToJSON(kind recv1.FeedbackKind) string {
	for name, k := range feedbackKinds {
		if k == kind {
			return name
		}
	}
	return ""
}

// ToProto maps the query to RecommendRequest.
func (q RecommendQuery) ToProto() *recv1.RecommendRequest {
	return &recv1.RecommendRequest{UserId: q.UserID, Language: q.Language, Limit: q.Limit, ExcludeItemIds: q.ExcludeItemIDs, MaxDifficulty: q.MaxDifficulty}
}

// RecommendQueryFromProto is ToProto's inverse.
func RecommendQueryFromProto(m *recv1.RecommendRequest) RecommendQuery {
	var maxDifficulty *recv1.Difficulty
	if m.MaxDifficulty != nil {
		maxDifficulty = m.GetMaxDifficulty().Enum()
	}
	return RecommendQuery{UserID: m.GetUserId(), Language: m.GetLanguage(), Limit: m.GetLimit(), ExcludeItemIDs: m.GetExcludeItemIds(), MaxDifficulty: maxDifficulty}
}

// StreamRequestToProto maps the same query to StreamRecommendationsRequest: limit becomes
// max_items; a stream takes no exclusions.
func (q RecommendQuery) StreamRequestToProto() *recv1.StreamRecommendationsRequest {
	return &recv1.StreamRecommendationsRequest{UserId: q.UserID, Language: q.Language, MaxItems: q.Limit}
}

// RecommendationFromProto maps one Recommendation.
func RecommendationFromProto(m *recv1.Recommendation) RecommendationDTO {
	return RecommendationDTO{
		ItemID: m.GetItemId(), Title: m.GetTitle(), Score: m.GetScore(), Reason: m.GetReason(),
		Tags: append([]string{}, m.GetTags()...), Difficulty: DifficultyToJSON(m.GetDifficulty()),
	}
}

// ToProto is RecommendationFromProto's inverse.
func (d RecommendationDTO) ToProto() *recv1.Recommendation {
	difficulty, _ := DifficultyFromJSON(d.Difficulty) // "" is UNSPECIFIED
	return &recv1.Recommendation{ItemId: d.ItemID, Title: d.Title, Score: d.Score, Reason: d.Reason, Tags: d.Tags, Difficulty: difficulty}
}

// RecommendationsFromProto maps a RecommendResponse; no items is an empty list, never null.
func RecommendationsFromProto(m *recv1.RecommendResponse) RecommendationsDTO {
	items := make([]RecommendationDTO, 0, len(m.GetRecommendations()))
	for _, r := range m.GetRecommendations() {
		items = append(items, RecommendationFromProto(r))
	}
	return RecommendationsDTO{Recommendations: items, ModelVersion: m.GetModelVersion()}
}

// ToProto is RecommendationsFromProto's inverse.
func (d RecommendationsDTO) ToProto() *recv1.RecommendResponse {
	items := make([]*recv1.Recommendation, 0, len(d.Recommendations))
	for _, r := range d.Recommendations {
		items = append(items, r.ToProto())
	}
	return &recv1.RecommendResponse{Recommendations: items, ModelVersion: d.ModelVersion}
}

// StreamItemFromProto maps one StreamRecommendationsResponse.
func StreamItemFromProto(m *recv1.StreamRecommendationsResponse) StreamItemDTO {
	return StreamItemDTO{Recommendation: RecommendationFromProto(m.GetRecommendation()), Position: m.GetPosition()}
}

// ToProto is StreamItemFromProto's inverse.
func (d StreamItemDTO) ToProto() *recv1.StreamRecommendationsResponse {
	return &recv1.StreamRecommendationsResponse{Recommendation: d.Recommendation.ToProto(), Position: d.Position}
}

// FeedbackToProto maps a validated body and its idempotency key to RecordFeedbackRequest.
func FeedbackToProto(idempotencyKey string, d FeedbackDTO, kind recv1.FeedbackKind) *recv1.RecordFeedbackRequest {
	return &recv1.RecordFeedbackRequest{IdempotencyKey: idempotencyKey, UserId: d.UserID, ItemId: d.ItemID, Kind: kind}
}

// FeedbackFromProto is FeedbackToProto's inverse: the key and the body.
func FeedbackFromProto(m *recv1.RecordFeedbackRequest) (string, FeedbackDTO) {
	return m.GetIdempotencyKey(), FeedbackDTO{UserID: m.GetUserId(), ItemID: m.GetItemId(), Kind: FeedbackKindToJSON(m.GetKind())}
}

// FeedbackResultFromProto maps a RecordFeedbackResponse.
func FeedbackResultFromProto(m *recv1.RecordFeedbackResponse) FeedbackResultDTO {
	return FeedbackResultDTO{FeedbackID: m.GetFeedbackId(), Duplicate: m.GetDuplicate()}
}

// ToProto is FeedbackResultFromProto's inverse.
func (d FeedbackResultDTO) ToProto() *recv1.RecordFeedbackResponse {
	return &recv1.RecordFeedbackResponse{FeedbackId: d.FeedbackID, Duplicate: d.Duplicate}
}
