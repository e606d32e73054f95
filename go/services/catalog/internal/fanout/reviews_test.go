package fanout

import (
	"context"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestSummariseReviews(t *testing.T) {
	reviews := []Review{
		{Rating: 5, Text: "great mug", Helpful: 1, Unhelpful: 0},
		{Rating: 4, Text: "Great mug!", Helpful: 9, Unhelpful: 1}, // a duplicate of the first
		{Rating: 2, Text: "handle broke", Helpful: 9, Unhelpful: 1},
		{Rating: 3, Text: "small blue gift", Helpful: 0, Unhelpful: 0},
	}
	got := SummariseReviews(reviews)
	if got.Count != 3 || got.Duplicates != 1 || got.AverageRating == nil || *got.AverageRating != 3.33 {
		t.Fatalf("summary = %+v", got)
	}
	if len(got.Top) != 3 || got.Top[0].Text != "handle broke" || got.Top[1].Text != "great mug" {
		t.Errorf("top = %+v; want handle broke (9/10) before great mug (1/1)", got.Top)
	}
	if empty := SummariseReviews(nil); empty.AverageRating != nil || empty.Top == nil {
		t.Errorf("no reviews: %+v; want a null average and an empty top", empty)
	}
}

func TestSimulatedPayloadsDecode(t *testing.T) {
	for _, name := range Names {
		raw, err := Simulated{Name: name}.Fetch(context.Background(), "p-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decode(name, raw); err != nil {
			t.Errorf("%s: %v (%s)", name, err, raw)
		}
	}
}

// The scoring before the performance work (regexp words, map-based Jaccard): the reference the
// current one must agree with on any input.
var referenceWord = regexp.MustCompile(`[a-z0-9']+`)

func referenceWords(text string) map[string]struct{} {
	set := map[string]struct{}{}
	for _, w := range referenceWord.FindAllString(strings.ToLower(text), -1) {
		set[w] = struct{}{}
	}
	return set
}

func referenceJaccard(a, b map[string]struct{}) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	shared := 0
	for w := range a {
		if _, ok := b[w]; ok {
			shared++
		}
	}
	return float64(shared) / float64(len(a)+len(b)-shared)
}

func referenceSummarise(reviews []Review) ReviewSummary {
	kept := make([]Review, 0, len(reviews))
	var keptWords []map[string]struct{}
	for _, review := range reviews {
		these := referenceWords(review.Text)
		if slices.ContainsFunc(keptWords, func(seen map[string]struct{}) bool { return referenceJaccard(these, seen) >= DuplicateJaccard }) {
			continue
		}
		kept = append(kept, review)
		keptWords = append(keptWords, these)
	}
	summary := ReviewSummary{Count: len(kept), Duplicates: len(reviews) - len(kept), Top: []Review{}}
	if len(kept) > 0 {
		sum := 0
		for _, r := range kept {
			sum += r.Rating
		}
		average := math.Round(float64(sum)/float64(len(kept))*100) / 100
		summary.AverageRating = &average
	}
	ranked := slices.Clone(kept)
	slices.SortStableFunc(ranked, func(a, b Review) int {
		return -cmpFloat(wilsonLowerBound(a.Helpful, a.Helpful+a.Unhelpful), wilsonLowerBound(b.Helpful, b.Helpful+b.Unhelpful))
	})
	summary.Top = append(summary.Top, ranked[:min(TopReviews, len(ranked))]...)
	return summary
}

// randomText mixes words, case, punctuation, apostrophes, digits, non-ASCII letters (incl. the
// Kelvin sign, which lowers to ASCII k) and invalid UTF-8: the word splitting's edge cases.
func randomText(rng *rand.Rand) string {
	pieces := []string{"great", "Mug", "HANDLE", "coffee", "it's", "don't", "42", "big", "small", "gift", "broke",
		"blue", "café", "naïve", "\u212aelvin", "日本", "\xff", "'", "''", "a", "B"}
	separators := []string{" ", "  ", ", ", "!", "-", "\t", "\n", "", "é", "_", "."}
	var b strings.Builder
	for range rng.IntN(10) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
		b.WriteString(separators[rng.IntN(len(separators))])
	}
	return b.String()
}

func TestWordsMatchTheReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		text := randomText(rng)
		got := words(text)
		want := slices.Sorted(maps.Keys(referenceWords(text)))
		if !slices.Equal(got, want) {
			t.Fatalf("words(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestSummariseReviewsMatchesTheReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		reviews := make([]Review, rng.IntN(12))
		for j := range reviews {
			text := randomText(rng)
			if j > 0 && rng.IntN(3) == 0 { // a near copy of an earlier one: duplicates happen
				text = reviews[rng.IntN(j)].Text + []string{"", " mug", " !", " extra words here"}[rng.IntN(4)]
			}
			reviews[j] = Review{Rating: 1 + rng.IntN(5), Text: text, Helpful: rng.IntN(20), Unhelpful: rng.IntN(5)}
		}
		got, want := SummariseReviews(reviews), referenceSummarise(reviews)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: SummariseReviews(%+v)\n got %+v\nwant %+v", i, reviews, got, want)
		}
	}
}

func TestDecodeIsMemoisedAndCopied(t *testing.T) {
	for _, name := range Names {
		for _, id := range []string{"memo-1", "memo-2"} {
			raw, err := Simulated{Name: name, ReviewCount: 7}.Fetch(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			uncached, err := decodeUncached(name, raw)
			if err != nil {
				t.Fatal(err)
			}
			first, err := decode(name, raw) // primed by Fetch: the typed hand-off
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(first, uncached) {
				t.Fatalf("%s %s: memoised %+v, decoded %+v", name, id, first, uncached)
			}
			switch v := first.(type) { // a caller changing its part must not change the next one's
			case *PricingInfo:
				v.Currency = "XXX"
			case *InventoryInfo:
				v.Available = -1
			case *ReviewSummary:
				v.Count = -1
			}
			again, _ := decode(name, raw)
			if !reflect.DeepEqual(again, uncached) {
				t.Fatalf("%s %s: a caller's change leaked into the memo: %+v", name, id, again)
			}
		}
	}
	if _, err := decode(Pricing, []byte(`{"discount_percent": 500, "currency": "EUR"}`)); err == nil {
		t.Error("a bad payload must still be an error")
	}
}

func TestMemoIsBounded(t *testing.T) {
	m := newMemo[int](4)
	for i := range 100 {
		m.put(strconv.Itoa(i), i)
	}
	if n := len(m.young) + len(m.old); n > 4 {
		t.Fatalf("memo holds %d entries, capacity 4", n)
	}
	if v, ok := m.get([]byte("99")); !ok || v != 99 {
		t.Errorf("the newest entry is gone: %v %v", v, ok)
	}
	m.put("hot", 1)
	for i := range 10 { // a hot key read between puts survives the generations
		m.put("cold"+strconv.Itoa(i), i)
		if _, ok := m.getString("hot"); !ok {
			t.Fatalf("hot key evicted after %d puts", i+1)
		}
	}
}
