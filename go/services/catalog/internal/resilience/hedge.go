package resilience

import (
	"context"
	"sync"
	"time"
)

// Hedge sends a second call when the first has not answered after Delay, and takes whichever
// answers first: the tail latency of one slow upstream becomes roughly its Delay-th
// percentile plus one more call. The loser is cancelled, and Do returns only once both calls
// have returned, so no goroutine outlives the request.
type Hedge struct {
	// Delay is how long the first call may take before the second is sent: about the
	// upstream's p95 (a hedge then costs ~5% more calls). Zero or less: no hedge.
	Delay time.Duration
	// After is the clock the delay is waited on; nil means time.After. Tests pass a fake.
	After func(time.Duration) <-chan time.Time
}

type answer struct {
	raw []byte
	err error
}

// Do runs call once, or twice when the first is slower than Delay; the first success wins. A
// failure before the hedge is sent is returned as it is (retrying is Retry's job); once both
// calls run, Do waits for the other before giving up.
func (h Hedge) Do(ctx context.Context, call func(context.Context) ([]byte, error)) ([]byte, error) {
	if h.Delay <= 0 {
		return call(ctx)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// Cancel the loser, then wait for it: the calls honour ctx, so this is prompt.
	defer func() {
		cancel()
		wg.Wait()
	}()
	answers := make(chan answer, 2) // buffered: a loser never blocks on its send
	launch := func() {
		wg.Go(func() {
			raw, err := call(ctx)
			answers <- answer{raw, err}
		})
	}
	launch()
	select {
	case got := <-answers:
		return got.raw, got.err
	case <-h.after(h.Delay):
	case <-ctx.Done():
		got := <-answers
		return got.raw, got.err
	}
	launch()
	first := <-answers
	if first.err == nil {
		return first.raw, nil
	}
	second := <-answers
	if second.err == nil {
		return second.raw, nil
	}
	return nil, first.err
}

func (h Hedge) after(d time.Duration) <-chan time.Time {
	if h.After != nil {
		return h.After(d)
	}
	return time.After(d)
}
