package fanout

import (
	"context"
	"testing"
)

func BenchmarkSummariseReviews(b *testing.B) {
	raw, _ := Simulated{Name: Reviews}.Fetch(context.Background(), "p-1")
	reviews, _ := decodeReviews(raw)
	b.ReportAllocs()
	for b.Loop() {
		SummariseReviews(reviews)
	}
}

func BenchmarkSimulatedPart(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, name := range Names {
			raw, _ := Simulated{Name: name}.Fetch(context.Background(), "p-1")
			_, _ = decode(name, raw)
		}
	}
}
