package domain

import (
	"errors"
	"math"
	"regexp"
)

// MaxAmountMinor is the largest amount the catalog stores: an int64. The Python twin of this
// service accepts exactly the same range, so both answer the same bodies the same way.
const MaxAmountMinor = math.MaxInt64

// ErrNegativeAmount is the rule "an amount is never below zero".
var ErrNegativeAmount = errors.New("must be greater than or equal to 0")

// ErrCurrencyFormat is the rule "a currency is three upper-case ASCII letters" (the shape of
// an ISO 4217 code; whether the code is assigned is not the catalog's business).
var ErrCurrencyFormat = errors.New("must be three upper-case letters, e.g. EUR")

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// Money is an amount of one currency in minor units (cents): NewMoney(1250, "EUR") is 12.50 EUR.
// An integer number of cents is exact where a float is not (0.10 has no float). It is a value
// object: compared by value, never changed (its fields are unexported; there are no setters).
type Money struct {
	amountMinor int64
	currency    string
}

// NewMoney returns the money, or every broken rule joined (errors.Join) as *ValidationError
// values for "amount_minor" and "currency".
func NewMoney(amountMinor int64, currency string) (Money, error) {
	var problems []error
	if amountMinor < 0 {
		problems = append(problems, invalid("amount_minor", ErrNegativeAmount))
	}
	if !currencyPattern.MatchString(currency) {
		problems = append(problems, invalid("currency", ErrCurrencyFormat))
	}
	if len(problems) > 0 {
		return Money{}, errors.Join(problems...)
	}
	return Money{amountMinor: amountMinor, currency: currency}, nil
}

// AmountMinor is the amount in minor units, e.g. 1250 for 12.50.
func (m Money) AmountMinor() int64 { return m.amountMinor }

// Currency is the three-letter currency code, e.g. "EUR".
func (m Money) Currency() string { return m.currency }
