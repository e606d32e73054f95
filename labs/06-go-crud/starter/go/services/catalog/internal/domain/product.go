package domain

import (
	"errors"
	"regexp"
)

// MaxNameLength is the longest product name, in Unicode code points (not bytes).
const MaxNameLength = 200

// ErrSKUFormat is the rule "a SKU is 3-32 characters of A-Z, 0-9 and '-'". Lower case is
// rejected rather than upper-cased: a SKU is an identifier, and rewriting it would surprise.
var ErrSKUFormat = errors.New("must be 3-32 characters of A-Z, 0-9 and '-'")

// ErrNameLength is the rule "a name, trimmed, is 1-200 characters".
var ErrNameLength = errors.New("must be 1-200 characters once surrounding whitespace is trimmed")

var skuPattern = regexp.MustCompile(`^[A-Z0-9-]{3,32}$`)

// SKU is a stock-keeping unit, unique across the catalog and never changed. Build it with
// NewSKU; a converted string (SKU("x")) skips the rule.
type SKU string

// NewSKU returns the SKU, or a *ValidationError for "sku" wrapping ErrSKUFormat.
func NewSKU(raw string) (SKU, error) {
	if !skuPattern.MatchString(raw) {
		return "", invalid("sku", ErrSKUFormat)
	}
	return SKU(raw), nil
}

// ProductName is a display name: trimmed, 1-200 code points. Build it with NewProductName.
type ProductName string

// NewProductName trims surrounding whitespace and returns the name, or a *ValidationError for
// "name" wrapping ErrNameLength.
func NewProductName(raw string) (ProductName, error) {
	// TODO(lab 6): trim surrounding whitespace first (strings.TrimSpace), then count what is
	// left in code points (utf8.RuneCountInString, not len: "€" is 3 bytes) and enforce
	// 1..MaxNameLength; store the trimmed name. NewSKU above shows the pattern.
	if raw == "" {
		return "", invalid("name", ErrNameLength)
	}
	return ProductName(raw), nil
}

// Product is the catalog's entity, identified by its id; its SKU never changes either.
// Its fields are unexported: a product read from a repository cannot be changed behind the
// repository's back, and Revised returns a changed copy.
type Product struct {
	id    ProductID
	sku   SKU
	name  ProductName
	price Money
}

// NewProduct assembles a product from values that are already valid.
func NewProduct(id ProductID, sku SKU, name ProductName, price Money) Product {
	return Product{id: id, sku: sku, name: name, price: price}
}

// ID is the product's id.
func (p Product) ID() ProductID { return p.id }

// SKU is the product's stock-keeping unit.
func (p Product) SKU() SKU { return p.sku }

// Name is the product's (trimmed) display name.
func (p Product) Name() ProductName { return p.name }

// Price is the product's price.
func (p Product) Price() Money { return p.price }

// Revised returns a copy with a new name and price; the id and the SKU are kept.
func (p Product) Revised(name ProductName, price Money) Product {
	p.name, p.price = name, price
	return p
}
