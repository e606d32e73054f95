package ports

import "time"

// SetBodyTimeout shortens the body deadline for a test; the returned func restores it.
func SetBodyTimeout(d time.Duration) (restore func()) {
	old := bodyTimeout
	bodyTimeout = d
	return func() { bodyTimeout = old }
}

// MaxBodyBytes is the body limit, for tests at its edge.
const MaxBodyBytes = maxBodyBytes
