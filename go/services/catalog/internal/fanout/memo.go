package fanout

import "sync"

// memo is a bounded, concurrency-safe cache of pure results: two generations of at most
// capacity/2 entries each; a miss in the young one that hits the old one promotes the entry,
// and when the young one is full the old one is dropped whole. So a hot entry stays, memory is
// bounded (at most capacity entries) and there is no per-entry bookkeeping: a cheap
// approximation of an LRU.
type memo[V any] struct {
	mu    sync.Mutex
	half  int
	young map[string]V
	old   map[string]V
}

func newMemo[V any](capacity int) *memo[V] {
	half := max(1, capacity/2)
	return &memo[V]{half: half, young: make(map[string]V, half), old: map[string]V{}}
}

// get looks key up. It takes bytes because m[string(key)] does not allocate: a payload is
// its own key at no cost on a hit.
func (m *memo[V]) get(key []byte) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.young[string(key)]; ok {
		return v, true
	}
	if v, ok := m.old[string(key)]; ok {
		m.putLocked(string(key), v)
		return v, true
	}
	var zero V
	return zero, false
}

// getString is get for a key that is a string already.
func (m *memo[V]) getString(key string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.young[key]; ok {
		return v, true
	}
	if v, ok := m.old[key]; ok {
		m.putLocked(key, v)
		return v, true
	}
	var zero V
	return zero, false
}

func (m *memo[V]) put(key string, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putLocked(key, v)
}

func (m *memo[V]) putLocked(key string, v V) {
	if len(m.young) >= m.half {
		m.old, m.young = m.young, make(map[string]V, m.half)
	}
	m.young[key] = v
}

// memoCapacity bounds each memo: a reviews payload is a few KB, so the decoded memo holds a
// few MB at most.
const memoCapacity = 1024

// decoded memoises decode per upstream (one memo each) and payload: decoding and scoring are
// pure functions of the bytes, so the same product with new reviews is simply a new key (the
// summary per product and reviews payload). simulated memoises the in-process upstreams'
// payloads per upstream, product and review count (they are deterministic).
var (
	decoded = map[Name]*memo[any]{
		Pricing:   newMemo[any](memoCapacity),
		Inventory: newMemo[any](memoCapacity),
		Reviews:   newMemo[any](memoCapacity),
	}
	simulated = newMemo[[]byte](memoCapacity)
)
