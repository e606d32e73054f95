package ports

import (
	"bytes"
	"unicode/utf8"
)

// The byte-level rules of a JSON request body, before it is parsed: the same in the Python twin
// (catalog.entrypoints.http.json_body), so both answer every odd body alike (422, field "body").

// maxJSONDepth is the deepest nesting of arrays and objects a body may have; a product body has
// 2. Go's decoder stops at 10,000 and Python's at its recursion limit: one bound for both.
const maxJSONDepth = 32

// utf8BOM is the byte order mark RFC 8259 forbids a JSON text to start with.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// jsonBytesProblem is what is wrong with a body's bytes, or "": JSON is exchanged as UTF-8
// without a byte order mark (RFC 8259 §8.1). Go's decoder would store invalid bytes as U+FFFD.
func jsonBytesProblem(data []byte) string {
	if bytes.HasPrefix(data, utf8BOM) {
		return "must not start with a byte order mark"
	}
	if !utf8.Valid(data) {
		return "must be UTF-8"
	}
	return ""
}

// tooDeep reports whether arrays and objects nest deeper than maxJSONDepth, counting brackets
// outside strings; one pass, no allocation. Malformed JSON is left to the decoder.
func tooDeep(data []byte) bool {
	depth := 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > maxJSONDepth {
				return true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return false
}
