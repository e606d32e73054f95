package domain

import (
	"crypto/rand"
	"encoding/hex"
)

// ProductID is a product's id: a random (version 4) UUID in its canonical lower-case form,
// e.g. "0b9b7c55-4e5f-4e84-9a57-2f5a3c1d6e70". Clients treat it as opaque.
type ProductID string

// NewProductID returns a fresh random version 4 UUID.
func NewProductID() ProductID {
	var b [16]byte
	_, _ = rand.Read(b[:])  // crypto/rand.Read never returns an error (Go 1.24+).
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	return ProductID(formatUUID(b))
}

func formatUUID(b [16]byte) string {
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// ParseProductID accepts exactly the canonical lower-case form of a UUID. Anything else (an
// upper-case or brace-wrapped UUID, "not-a-uuid") names no product, so it is
// ErrProductNotFound rather than a validation error: ids are opaque to clients.
func ParseProductID(raw string) (ProductID, error) {
	if len(raw) != 36 {
		return "", productNotFound(raw)
	}
	for i := range len(raw) {
		c := raw[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return "", productNotFound(raw)
			}
		case ('0' <= c && c <= '9') || ('a' <= c && c <= 'f'):
		default:
			return "", productNotFound(raw)
		}
	}
	return ProductID(raw), nil
}
