"""In-memory idempotency keys (``catalog.idempotency``), kept apart from ``in_memory.py``.

The keys are committed and rolled back with the rest of the fake's state: each unit of work
works on a copy of the committed keys and publishes it on ``commit()``. The fake's unit of
work never awaits anything real, so one create runs to its commit without interleaving.
"""

from typing import Self

from catalog.adapters.in_memory import InMemoryDatabase, InMemoryUnitOfWork
from catalog.idempotency import StoredAnswer

_Keys = dict[str, tuple[str, StoredAnswer]]


class InMemoryIdempotencyKeys:
    def __init__(self, keys: _Keys) -> None:
        self._keys = keys

    async def claim(self, key: str, fingerprint: str, answer: StoredAnswer) -> bool:
        if key in self._keys:
            return False
        self._keys[key] = (fingerprint, answer)
        return True

    async def get(self, key: str) -> tuple[str, StoredAnswer]:
        return self._keys[key]


class InMemoryIdempotentDatabase(InMemoryDatabase):
    def __init__(self) -> None:
        super().__init__()
        self.keys: _Keys = {}

    def unit_of_work(self) -> "InMemoryIdempotentUnitOfWork":
        return InMemoryIdempotentUnitOfWork(self)


class InMemoryIdempotentUnitOfWork(InMemoryUnitOfWork):
    def __init__(self, database: InMemoryIdempotentDatabase) -> None:
        self._keys_database = database
        self._working_keys: _Keys = dict(database.keys)
        super().__init__(database)

    async def __aenter__(self) -> Self:
        self._working_keys = dict(self._keys_database.keys)
        return await super().__aenter__()

    def _bind(self) -> None:
        super()._bind()
        self.idempotency_keys = InMemoryIdempotencyKeys(self._working_keys)

    async def commit(self) -> None:
        self._keys_database.keys = self._working_keys
        self._working_keys = dict(self._working_keys)
        await super().commit()

    async def rollback(self) -> None:
        self._working_keys = dict(self._keys_database.keys)
        await super().rollback()
