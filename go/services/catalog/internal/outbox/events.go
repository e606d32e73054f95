package outbox

import (
	"crypto/rand"
	"encoding/json"
	"fmt"

	"languagetracks.example/go/services/catalog/internal/domain"
)

type priceJSON struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

type productJSON struct {
	ID    string     `json:"id"`
	SKU   string     `json:"sku,omitempty"`
	Name  string     `json:"name,omitempty"`
	Price *priceJSON `json:"price,omitempty"`
}

type body struct {
	Product productJSON `json:"product"`
}

// ProductCreated is the event of a new product.
func ProductCreated(product domain.Product) Message {
	return newMessage(TopicProductCreated, body{Product: full(product)})
}

// ProductUpdated is the event of a revised product.
func ProductUpdated(product domain.Product) Message {
	return newMessage(TopicProductUpdated, body{Product: full(product)})
}

// ProductDeleted is the event of a removed product.
func ProductDeleted(id domain.ProductID) Message {
	return newMessage(TopicProductDeleted, body{Product: productJSON{ID: string(id)}})
}

func full(product domain.Product) productJSON {
	price := product.Price()
	return productJSON{
		ID:    string(product.ID()),
		SKU:   string(product.SKU()),
		Name:  string(product.Name()),
		Price: &priceJSON{AmountMinor: price.AmountMinor(), Currency: price.Currency()},
	}
}

func newMessage(topic string, b body) Message {
	payload, err := json.Marshal(b)
	if err != nil { // plain strings and integers: cannot fail
		panic(fmt.Sprintf("outbox: marshal %s: %v", topic, err))
	}
	return Message{ID: NewMessageID(), Topic: topic, Payload: payload}
}

// NewMessageID returns a fresh random message id (a UUID v4 in text form).
func NewMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
