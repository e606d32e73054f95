"""The catalog's error taxonomy.

Every error the catalog raises *on purpose* is a ``CatalogError``. The domain only says
*what* went wrong; how that looks on the wire (status code, problem type, ``code``) is
decided once, at the HTTP edge, in ``entrypoints/http/problem_details.py``. Anything that is
not a ``CatalogError`` is a bug and becomes a 500 without details.

The middle layer (``NotFoundError``, ``ConflictError``) names the *kind* of failure, so later
labs can add errors (a missing upstream, a stale write) that callers can still catch by kind.
"""


class CatalogError(Exception):
    """Base class of every error the catalog raises deliberately.

    The message is written for API clients: the edge may show it as the problem ``detail``.
    Never put secrets, SQL or stack traces in it.
    """


class NotFoundError(CatalogError):
    """Something the caller named does not exist."""


class ConflictError(CatalogError):
    """The request clashes with the catalog's current state."""


class ProductNotFoundError(NotFoundError):
    """No product has this id (or the id is not one the catalog could have issued)."""

    def __init__(self, product_id: str) -> None:
        self.product_id = product_id
        super().__init__(f"No product with id '{product_id}'.")


class SkuAlreadyExistsError(ConflictError):
    """Another product already uses this SKU; SKUs are unique across the catalog."""

    def __init__(self, sku: str) -> None:
        self.sku = sku
        super().__init__(f"A product with sku '{sku}' already exists.")


class IdempotencyKeyReusedError(ConflictError):
    """An ``Idempotency-Key`` came back with a different request: the key already stands for
    another request's answer, so neither replaying it nor creating anything is right."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"The Idempotency-Key '{key}' was already used with a different request.")
