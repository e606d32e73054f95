package fanout

import (
	"math"
	"slices"
	"strings"
)

// Review scoring, the same rules as the Python twin (catalog/fanout/reviews.py): a review
// whose set of words overlaps a kept one by at least DuplicateJaccard is dropped; the kept ones
// are averaged and ranked by the Wilson lower bound (95%) of their helpful votes.

// DuplicateJaccard is the word-set overlap from which a review counts as a duplicate.
const DuplicateJaccard = 0.8

// TopReviews is how many reviews the summary shows.
const TopReviews = 3

// z of a 95% confidence interval.
const z95 = 1.959963984540054

// Review is one review as the reviews upstream sends it.
type Review struct {
	Rating    int    `json:"rating"`
	Text      string `json:"text"`
	Helpful   int    `json:"helpful"`
	Unhelpful int    `json:"unhelpful"`
}

// ReviewSummary is what the catalog shows about a product's reviews.
type ReviewSummary struct {
	Count         int      `json:"count"`
	Duplicates    int      `json:"duplicates"`
	AverageRating *float64 `json:"average_rating"`
	Top           []Review `json:"top"`
}

// notWordRune is the complement of the word alphabet [a-z0-9'] (after lowering): words are the
// maximal runs of those runes, as the Python twin's regular expression finds them. A hand
// written test is much cheaper than a regexp in the scoring's hot loop.
func notWordRune(r rune) bool {
	return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '\''
}

// words is the text's set of words, sorted and without duplicates (so jaccard can merge).
func words(text string) []string {
	set := strings.FieldsFunc(strings.ToLower(text), notWordRune)
	slices.Sort(set)
	return slices.Compact(set)
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted, duplicate-free word lists; two empty texts are
// identical (1).
func jaccard(a, b []string) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	shared := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			shared++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(shared) / float64(len(a)+len(b)-shared)
}

// wilsonLowerBound is the lower bound of the 95% Wilson interval of positive/total (0 when no votes).
func wilsonLowerBound(positive, total int) float64 {
	if total <= 0 {
		return 0
	}
	n := float64(total)
	p := float64(positive) / n
	z2 := z95 * z95
	centre := p + z2/(2*n)
	margin := z95 * math.Sqrt((p*(1-p)+z2/(4*n))/n)
	return (centre - margin) / (1 + z2/n)
}

// SummariseReviews drops near-duplicates (keeping the first of each), then averages and ranks
// what is left; ties keep upstream order.
func SummariseReviews(reviews []Review) ReviewSummary {
	kept := make([]Review, 0, len(reviews))
	keptWords := make([][]string, 0, len(reviews))
	for _, review := range reviews {
		these := words(review.Text)
		if slices.ContainsFunc(keptWords, func(seen []string) bool { return jaccard(these, seen) >= DuplicateJaccard }) {
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

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
