"""Adapters: the ports of ``catalog.ports`` implemented in memory, on SQLite and on PostgreSQL
(and, from lab 2 on, the upstream clients live in ``catalog.fanout``)."""
