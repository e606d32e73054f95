"""Catalog: the reference async HTTP service of the Python track.

Layout (hexagonal, grown lab by lab):
- ``domain``       value objects, entities and the error taxonomy; no framework code.
- ``ports``        the write side's ports (``typing.Protocol``): repository, unit of work, outbox.
- ``adapters``     their implementations: in-memory fakes, SQLite (default), PostgreSQL.
- ``use_cases``    the writes, each in one unit of work with its outbox event (lab 3).
- ``outbox``       the relay (at least once) and the idempotent consumer (lab 3).
- ``bootstrap``    the composition root: adapters chosen from ``CATALOG_DATABASE_URL``.
- ``entrypoints``  the outside world's way in: the HTTP app and the command line.
"""
