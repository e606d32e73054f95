package ports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"languagetracks.example/go/services/catalog/internal/app"
	"languagetracks.example/go/services/catalog/internal/domain"
)

// maxBodyBytes bounds what a request body may hold; a product is far smaller.
const maxBodyBytes = 1 << 20

// FieldError is one entry of a 422's "errors": the dotted path of the field in the body
// (e.g. "price.amount_minor", or "body" for the body as a whole) and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// RequestError says that a request body breaks the contract, field by field. The edge maps it
// to 422 validation_failed.
type RequestError struct {
	// Errors has one entry per problem, in the order the fields were read.
	Errors []FieldError
}

// Error lists the fields.
func (e *RequestError) Error() string {
	fields := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		fields[i] = fe.Field
	}
	return "invalid request body: " + strings.Join(fields, ", ")
}

// decodeCreate reads a POST /products body: {"sku", "name", "price"}.
func decodeCreate(r *http.Request) (app.NewProduct, error) {
	body, err := readObject(r)
	if err != nil {
		return app.NewProduct{}, err
	}
	sku, skuErr := domain.NewSKU(body.str("sku"))
	body.check(skuErr)
	name, price := readNameAndPrice(body)
	body.rejectUnknown()
	if err := body.err(); err != nil {
		return app.NewProduct{}, err
	}
	return app.NewProduct{SKU: sku, Name: name, Price: price}, nil
}

// decodeUpdate reads a PUT /products/{id} body: {"name", "price"}; the SKU never changes, so
// a "sku" in it is an unknown field.
func decodeUpdate(r *http.Request) (domain.ProductName, domain.Money, error) {
	body, err := readObject(r)
	if err != nil {
		return "", domain.Money{}, err
	}
	name, price := readNameAndPrice(body)
	body.rejectUnknown()
	if err := body.err(); err != nil {
		return "", domain.Money{}, err
	}
	return name, price, nil
}

func readNameAndPrice(body *object) (domain.ProductName, domain.Money) {
	name, nameErr := domain.NewProductName(body.str("name"))
	body.check(nameErr)
	var price domain.Money
	if money := body.object("price"); money != nil {
		var priceErr error
		price, priceErr = domain.NewMoney(money.integer("amount_minor"), money.str("currency"))
		money.check(priceErr)
		money.rejectUnknown()
	}
	return name, price
}

// object is one JSON object of a request body, read field by field. It remembers which
// members were read, so the rest can be reported as unknown, and collects every problem
// (a client learns about all of them at once) under the object's dotted path.
type object struct {
	path    string // "" for the body, "price." for the object under "price"
	members map[string]json.RawMessage
	read    map[string]bool
	failed  map[string]bool
	errs    *[]FieldError
}

func bodyError(message string) error {
	return &RequestError{Errors: []FieldError{{Field: "body", Message: message}}}
}

// readObject reads the request body as one JSON object. Member names match exactly (Go's
// json.Unmarshal into a struct would also accept "SKU" for "sku"), and a body that is not
// JSON (or not UTF-8, or nested too deep), not an object, missing, or not sent as JSON is one
// error about the field "body".
func readObject(r *http.Request) (*object, error) {
	if !isJSONMediaType(r.Header.Get("Content-Type")) {
		return nil, bodyError("must be sent as application/json")
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, bodyError("could not be read")
	}
	if len(data) > maxBodyBytes {
		return nil, bodyError(fmt.Sprintf("must be at most %d bytes", maxBodyBytes))
	}
	if problem := jsonBytesProblem(data); problem != "" {
		return nil, bodyError(problem)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, bodyError("is required")
	}
	if tooDeep(data) {
		return nil, bodyError(fmt.Sprintf("Invalid JSON: nested deeper than %d levels", maxJSONDepth))
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, bodyError("must be a JSON object")
		}
		return nil, bodyError("Invalid JSON: " + strings.TrimPrefix(err.Error(), "json: "))
	}
	if members == nil { // the body was `null`
		return nil, bodyError("must be a JSON object")
	}
	return newObject("", members, new([]FieldError)), nil
}

func newObject(path string, members map[string]json.RawMessage, errs *[]FieldError) *object {
	return &object{path: path, members: members, read: map[string]bool{}, failed: map[string]bool{}, errs: errs}
}

// isJSONMediaType: application/json or application/<x>+json (the same rule as the Python
// twin's framework). A body without a Content-Type is not JSON (RFC 9110 lets a recipient take
// it for application/octet-stream): refused like text/plain.
func isJSONMediaType(header string) bool {
	mediaType, _, err := mime.ParseMediaType(header)
	if err != nil {
		return false
	}
	return mediaType == "application/json" || (strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json"))
}

func (o *object) fail(name, message string) {
	o.failed[name] = true
	*o.errs = append(*o.errs, FieldError{Field: o.path + name, Message: message})
}

// take returns the raw member, or reports it as required.
func (o *object) take(name string) (json.RawMessage, bool) {
	o.read[name] = true
	raw, ok := o.members[name]
	if !ok {
		o.fail(name, "is required")
		return nil, false
	}
	return raw, true
}

// str reads a JSON string member; anything else (a number, null) is reported.
func (o *object) str(name string) string {
	raw, ok := o.take(name)
	if !ok {
		return ""
	}
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		o.fail(name, "must be a string")
	}
	return s
}

// integer reads a JSON integer member into an int64.
func (o *object) integer(name string) int64 {
	raw, ok := o.take(name)
	if !ok {
		return 0
	}
	// strconv.ParseInt accepts digits only: 12.0, 12.5, 1e2, true, null and "12" all fail.
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			o.fail(name, fmt.Sprintf("must be between 0 and %d", domain.MaxAmountMinor))
		} else {
			o.fail(name, "must be an integer")
		}
		return 0
	}
	return n
}

// object reads a nested JSON object member; it shares the body's list of problems.
func (o *object) object(name string) *object {
	raw, ok := o.take(name)
	if !ok {
		return nil
	}
	var members map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &members) != nil {
		o.fail(name, "must be a JSON object")
		return nil
	}
	return newObject(o.path+name+".", members, o.errs)
}

// rejectUnknown reports every member that was not read: a client's typo ("prise") must not
// become a request that "works" but ignores what the client meant.
func (o *object) rejectUnknown() {
	var unknown []string
	for name := range o.members {
		if !o.read[name] {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		o.fail(name, "is not a field of this request")
	}
}

// check turns a domain constructor's error into field errors under this object's path; a
// field whose JSON was already reported (wrong type) is not reported twice.
func (o *object) check(err error) {
	for _, e := range flatten(err) {
		var invalid *domain.ValidationError
		if errors.As(e, &invalid) {
			if !o.failed[invalid.Field] {
				o.fail(invalid.Field, invalid.Err.Error())
			}
			continue
		}
		o.fail("body", e.Error())
	}
}

// err is the problems found so far, as one *RequestError, or nil.
func (o *object) err() error {
	if len(*o.errs) == 0 {
		return nil
	}
	return &RequestError{Errors: *o.errs}
}

// flatten undoes errors.Join.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var all []error
		for _, e := range joined.Unwrap() {
			all = append(all, flatten(e)...)
		}
		return all
	}
	return []error{err}
}
