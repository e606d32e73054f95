-- The product-feed consumer's effect: one row per created product, applied counting how many
-- times the consumer applied its product.created. Exactly-once effects mean applied = 1
-- everywhere, whatever the broker redelivered; the kill-loop tests count it. The Python
-- catalog has the same table.
CREATE TABLE product_feed (
    product_id TEXT PRIMARY KEY,
    applied INTEGER NOT NULL
);
