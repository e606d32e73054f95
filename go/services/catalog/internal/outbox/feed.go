package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// ProductFeedConsumer is the name of the catalog's own consumer (its processed-messages key,
// and with a broker its durable). The Python catalog's consumer has the same name and table.
const ProductFeedConsumer = "product-feed"

// ErrBadPayload is returned for a message whose payload does not name a product.
var ErrBadPayload = errors.New("outbox: the payload names no product")

// ProductFeed is the product-feed consumer's handler: for each product.created it counts one
// application in product_feed, in the consumer's transaction. Because the processed-messages
// record commits with it, applied stays 1 per product however often the message is
// delivered: the countable proof of "exactly one effect per committed product". Other topics
// are recorded as processed with no effect.
func ProductFeed(ctx context.Context, tx InboxTx, message Message) error {
	if message.Topic != TopicProductCreated {
		return nil
	}
	var b body
	if err := json.Unmarshal(message.Payload, &b); err != nil {
		return fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	if b.Product.ID == "" {
		return ErrBadPayload
	}
	return tx.ApplyToProductFeed(ctx, b.Product.ID)
}
