// Package domain is the catalog's core: what a product is, what money is, which rules they
// obey and what can go wrong. It imports nothing from the rest of the service (no HTTP, no
// storage): the other layers depend on it, never the reverse.
//
// Values are built through constructors that validate (NewMoney, NewSKU, NewProductName), so
// a value that exists is valid ("parse, don't validate"). Every rule has a sentinel error
// declared beside it; callers test for it with errors.Is, and a broken rule arrives wrapped in
// a *ValidationError that names the field.
package domain
