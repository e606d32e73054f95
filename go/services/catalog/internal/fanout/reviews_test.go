package fanout

import (
	"context"
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
