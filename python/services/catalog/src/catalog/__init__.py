"""Catalog: the reference async HTTP service of the Python track.

Layout (hexagonal, grown lab by lab):
- ``domain``       value objects, entities and the error taxonomy; no framework code.
- ``adapters``     storage behind small classes (in memory for now; SQLite arrives in lab 3).
- ``entrypoints``  the outside world's way in: the HTTP app and the command line.
"""
