"""The mapping table at the edge: lookups follow the class hierarchy."""

import pytest

from catalog.domain.errors import CatalogError, ProductNotFoundError, SkuAlreadyExistsError
from catalog.entrypoints.http.problem_details import DOMAIN_PROBLEMS, ProblemType, problem_for


class _DiscontinuedProductError(ProductNotFoundError):
    """A later, more specific error: inherits its parent's mapping."""


class _UnmappedError(CatalogError):
    pass


def test_every_table_entry_is_a_4xx_with_a_kebab_case_slug() -> None:
    for problem in DOMAIN_PROBLEMS.values():
        assert 400 <= problem.status < 500
        assert problem.type_uri.endswith("/" + problem.code.replace("_", "-"))


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (ProductNotFoundError("x"), 404, "product_not_found"),
        (_DiscontinuedProductError("x"), 404, "product_not_found"),
        (SkuAlreadyExistsError("MUG-001"), 409, "sku_already_exists"),
    ],
)
def test_lookup_follows_the_class_hierarchy(error: CatalogError, status: int, code: str) -> None:
    problem = problem_for(error)
    assert isinstance(problem, ProblemType)
    assert (problem.status, problem.code) == (status, code)


def test_unmapped_errors_have_no_entry() -> None:
    assert problem_for(_UnmappedError("secret")) is None
