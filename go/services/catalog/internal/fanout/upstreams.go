package fanout

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Upstream is the port the aggregator consumes: one call, one JSON payload, or an error. An
// implementation must return promptly once ctx is done (with an error wrapping ctx.Err()).
type Upstream interface {
	Fetch(ctx context.Context, productID string) ([]byte, error)
}

// Upstreams maps each name to its adapter; every name of Names must be present.
type Upstreams map[Name]Upstream

// PricingInfo is the current offer: a discount on the product's list price.
type PricingInfo struct {
	DiscountPercent int    `json:"discount_percent"`
	Currency        string `json:"currency"`
}

// InventoryInfo is the stock on hand.
type InventoryInfo struct {
	Available int    `json:"available"`
	Warehouse string `json:"warehouse"`
}

// ErrBadPayload marks a payload that does not have the upstream's shape.
var ErrBadPayload = errors.New("fanout: payload of the wrong shape")

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

func badPayload(name Name, why string) error {
	return fmt.Errorf("%w: %s: %s", ErrBadPayload, name, why)
}

// decodePricing, decodeInventory and decodeReviews read an upstream's payload; unknown fields
// are ignored (upstreams may add some), missing or out-of-range ones are ErrBadPayload.
func decodePricing(raw []byte) (*PricingInfo, error) {
	var p struct {
		DiscountPercent *int    `json:"discount_percent"`
		Currency        *string `json:"currency"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, badPayload(Pricing, err.Error())
	}
	if p.DiscountPercent == nil || *p.DiscountPercent < 0 || *p.DiscountPercent > 100 {
		return nil, badPayload(Pricing, "discount_percent must be an integer 0-100")
	}
	if p.Currency == nil || !currencyCode.MatchString(*p.Currency) {
		return nil, badPayload(Pricing, "currency must be 3 uppercase letters")
	}
	return &PricingInfo{DiscountPercent: *p.DiscountPercent, Currency: *p.Currency}, nil
}

func decodeInventory(raw []byte) (*InventoryInfo, error) {
	var p struct {
		Available *int    `json:"available"`
		Warehouse *string `json:"warehouse"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, badPayload(Inventory, err.Error())
	}
	if p.Available == nil || *p.Available < 0 || p.Warehouse == nil {
		return nil, badPayload(Inventory, "needs available >= 0 and a warehouse")
	}
	return &InventoryInfo{Available: *p.Available, Warehouse: *p.Warehouse}, nil
}

func decodeReviews(raw []byte) ([]Review, error) {
	var p struct {
		Reviews *[]struct {
			Rating    *int    `json:"rating"`
			Text      *string `json:"text"`
			Helpful   *int    `json:"helpful"`
			Unhelpful *int    `json:"unhelpful"`
		} `json:"reviews"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, badPayload(Reviews, err.Error())
	}
	if p.Reviews == nil {
		return nil, badPayload(Reviews, "needs a reviews list")
	}
	reviews := make([]Review, 0, len(*p.Reviews))
	for _, r := range *p.Reviews {
		if r.Rating == nil || *r.Rating < 1 || *r.Rating > 5 || r.Text == nil ||
			r.Helpful == nil || *r.Helpful < 0 || r.Unhelpful == nil || *r.Unhelpful < 0 {
			return nil, badPayload(Reviews, "a review needs rating 1-5, text, helpful >= 0, unhelpful >= 0")
		}
		reviews = append(reviews, Review{Rating: *r.Rating, Text: *r.Text, Helpful: *r.Helpful, Unhelpful: *r.Unhelpful})
	}
	return reviews, nil
}

// decode turns an upstream's payload into its part of Details. It is a pure function of the
// bytes, memoised per upstream (memo.go): a payload seen before costs a map lookup, not a JSON
// decode and a review scoring. Errors are not memoised. The part is a fresh copy of the
// memoised value's top level; what it points to (a summary's average and top reviews) is
// shared, read-only.
func decode(name Name, raw []byte) (any, error) {
	cache, ok := decoded[name]
	if !ok {
		return nil, fmt.Errorf("fanout: unknown upstream %q", name)
	}
	if part, ok := cache.get(raw); ok {
		return copyPart(part), nil
	}
	part, err := decodeUncached(name, raw)
	if err != nil {
		return nil, err
	}
	cache.put(string(raw), part)
	return copyPart(part), nil
}

// copyPart copies a decoded part's top level, so no caller can change the memoised one.
func copyPart(part any) any {
	switch v := part.(type) {
	case *PricingInfo:
		c := *v
		return &c
	case *InventoryInfo:
		c := *v
		return &c
	case *ReviewSummary:
		c := *v
		return &c
	}
	return part
}

func decodeUncached(name Name, raw []byte) (any, error) {
	switch name {
	case Pricing:
		return decodePricing(raw)
	case Inventory:
		return decodeInventory(raw)
	case Reviews:
		reviews, err := decodeReviews(raw)
		if err != nil {
			return nil, err
		}
		summary := SummariseReviews(reviews)
		return &summary, nil
	}
	return nil, fmt.Errorf("fanout: unknown upstream %q", name)
}

// Simulated is an in-process upstream: it waits Latency (or until ctx is done), then fails or
// answers a deterministic payload (same id, same answer). With no upstream configured the
// catalog uses three of these with zero latency, so it runs alone.
type Simulated struct {
	Name    Name
	Latency time.Duration
	Fail    bool
	// ReviewCount is the number of reviews it sends; 0 means 20.
	ReviewCount int
}

// ErrSimulatedFailure is what a Simulated upstream with Fail set returns.
var ErrSimulatedFailure = errors.New("fanout: simulated upstream failure")

// Fetch implements Upstream.
func (s Simulated) Fetch(ctx context.Context, productID string) ([]byte, error) {
	// Fetch runs on a fan-out goroutine, whose stack starts small and is copied whenever it
	// grows: the hot path (a memoised payload) keeps a small frame and allocates only the copy;
	// the wait and the first answer of a product are in functions of their own.
	if s.Latency > 0 {
		if err := s.wait(ctx); err != nil {
			return nil, err
		}
	}
	if s.Fail {
		return nil, fmt.Errorf("%s: %w", s.Name, ErrSimulatedFailure)
	}
	var buf [64]byte // the memo key, built without allocating (m[string(bytes)] does not either)
	key := append(append(append(append(buf[:0], s.Name...), '/'), productID...), '/')
	key = strconv.AppendInt(key, int64(s.ReviewCount), 10)
	if raw, ok := simulated.get(key); ok {
		return slices.Clone(raw), nil
	}
	return s.fresh(string(key), productID)
}

// wait sleeps Latency, or returns ctx's error once it is done.
func (s Simulated) wait(ctx context.Context) error {
	timer := time.NewTimer(s.Latency)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", s.Name, ctx.Err())
	}
}

// fresh makes, memoises and returns the payload of a product not asked for before.
func (s Simulated) fresh(key, productID string) ([]byte, error) {
	payload, part := simulatedPayload(s.Name, productID, s.ReviewCount)
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	simulated.put(key, raw)
	// The payload is in-process and typed: hand its decoded part to decode's memo so the
	// aggregator's decode of these bytes is a lookup, not a JSON round trip. (The bytes stay the
	// interface, so the HTTP adapter, the resilience wrappers and lab 7's aggregator are unchanged.)
	if cache, ok := decoded[s.Name]; ok {
		cache.put(string(raw), part)
	}
	return slices.Clone(raw), nil
}

// simulatedPayload is an upstream's deterministic answer for a product: the value to send and
// the part decode would make of it.
func simulatedPayload(name Name, productID string, reviewCount int) (payload, part any) {
	h := fnv.New64a()
	_, _ = io.WriteString(h, string(name)+":"+productID)
	rng := rand.New(rand.NewPCG(h.Sum64(), 0)) // #nosec G404 -- deterministic test data, not security
	switch name {
	case Pricing:
		p := PricingInfo{DiscountPercent: []int{0, 5, 10, 15, 20}[rng.IntN(5)], Currency: "EUR"}
		return p, &p
	case Inventory:
		i := InventoryInfo{Available: rng.IntN(500), Warehouse: []string{"AMS-1", "FRA-2"}[rng.IntN(2)]}
		return i, &i
	}
	if reviewCount <= 0 {
		reviewCount = 20
	}
	vocabulary := []string{"great", "mug", "handle", "coffee", "big", "small", "gift", "broke", "blue"}
	reviews := make([]Review, reviewCount)
	for i := range reviews {
		text := make([]string, 8)
		for j := range text {
			text[j] = vocabulary[rng.IntN(len(vocabulary))]
		}
		reviews[i] = Review{Rating: 1 + rng.IntN(5), Text: strings.Join(text, " "), Helpful: rng.IntN(50), Unhelpful: rng.IntN(10)}
	}
	summary := SummariseReviews(reviews)
	return map[string][]Review{"reviews": reviews}, &summary
}

// HTTP is an upstream over HTTP: GET {BaseURL}/{Name}/{productID}. A non-2xx answer is an
// error. It has no timeout of its own: the aggregator's context owns time.
type HTTP struct {
	Name    Name
	BaseURL string
	Client  *http.Client
}

// ErrStatus marks a non-2xx answer from an upstream.
var ErrStatus = errors.New("fanout: upstream answered non-2xx")

// StatusError is a non-2xx answer; errors.Is(err, ErrStatus) holds for it, and Code lets a
// retry tell "not now" (5xx, 429) from "never" (other 4xx).
type StatusError struct {
	Name Name
	Code int
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: %v: %d", e.Name, ErrStatus, e.Code)
}

// Is makes errors.Is(err, ErrStatus) true.
func (e *StatusError) Is(target error) bool { return target == ErrStatus }

// maxPayload caps what is read from an upstream.
const maxPayload = 4 << 20

// Fetch implements Upstream.
func (u HTTP) Fetch(ctx context.Context, productID string) ([]byte, error) {
	url := strings.TrimRight(u.BaseURL, "/") + "/" + string(u.Name) + "/" + productID
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u.Name, err)
	}
	resp, err := u.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u.Name, err)
	}
	defer func() { _ = resp.Body.Close() }()
	var body bytes.Buffer
	if _, err := io.Copy(&body, io.LimitReader(resp.Body, maxPayload)); err != nil {
		return nil, fmt.Errorf("%s: read: %w", u.Name, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &StatusError{Name: u.Name, Code: resp.StatusCode}
	}
	return body.Bytes(), nil
}
