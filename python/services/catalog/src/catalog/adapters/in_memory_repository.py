"""The in-memory fake of the ``ProductRepository`` port (``catalog.ports``).

Products kept in a dict: the storage of lab 1, now the fake that ``InMemoryUnitOfWork``
(``adapters/in_memory.py``) uses and that the shared port suite holds to the same contract
as the SQLite and PostgreSQL adapters.
"""

from uuid import UUID

from catalog.domain.errors import ProductNotFoundError, SkuAlreadyExistsError
from catalog.domain.product import Product


class InMemoryProductRepository:
    """Stores products by id and enforces that SKUs are unique.

    No lock is needed: no method awaits anything, so on one event loop each call runs to
    completion before another starts.
    """

    def __init__(self, products: dict[UUID, Product] | None = None) -> None:
        self._products: dict[UUID, Product] = {} if products is None else products

    async def add(self, product: Product) -> None:
        """Store a new product; raises ``SkuAlreadyExistsError`` if its SKU is taken."""
        if any(existing.sku == product.sku for existing in self._products.values()):
            raise SkuAlreadyExistsError(product.sku)
        self._products[product.id] = product

    async def get(self, product_id: UUID) -> Product:
        """The product with this id; raises ``ProductNotFoundError``."""
        try:
            return self._products[product_id]
        except KeyError:
            raise ProductNotFoundError(str(product_id)) from None

    async def list_all(self) -> list[Product]:
        """Every product, sorted by SKU so that listings are stable."""
        return sorted(self._products.values(), key=lambda product: product.sku)

    async def update(self, product: Product) -> None:
        """Replace the stored product that has the same id; raises ``ProductNotFoundError``."""
        if product.id not in self._products:
            raise ProductNotFoundError(str(product.id))
        self._products[product.id] = product

    async def remove(self, product_id: UUID) -> None:
        """Delete the product with this id; raises ``ProductNotFoundError``."""
        if self._products.pop(product_id, None) is None:
            raise ProductNotFoundError(str(product_id))
