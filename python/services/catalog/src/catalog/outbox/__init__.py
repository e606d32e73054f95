"""The transactional outbox: events written with the change (``catalog.use_cases``), a relay
that publishes them at least once (``relay.py``), and an idempotent consumer (``consumer.py``)."""
