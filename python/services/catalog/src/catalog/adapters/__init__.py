"""Adapters: concrete storage (and, from lab 2 on, upstream clients) behind small classes."""
