"""The catalog's domain: what a product is, what money is, and what can go wrong."""
