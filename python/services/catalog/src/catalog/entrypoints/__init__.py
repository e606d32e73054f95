"""Entrypoints: how requests reach the catalog (HTTP today, the command line to start it)."""
