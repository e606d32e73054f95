"""Lab 1 acceptance checks through the domain API: the Money value object and Product.

Each failure message names the TODO to work on. Run them with ``pnpm lab 1 check``.
"""

from dataclasses import FrozenInstanceError
from typing import Any

import pytest
from pydantic import ValidationError

from catalog.domain.money import MAX_AMOUNT_MINOR, Money
from catalog.domain.product import Product

MONEY_TODO = "see TODO(lab 1) in python/services/catalog/src/catalog/domain/money.py"
PRODUCT_TODO = "see TODO(lab 1) in python/services/catalog/src/catalog/domain/product.py"


def _is_rejected(amount: Any = 1250, currency: Any = "EUR", **extra: Any) -> bool:
    try:
        Money.model_validate({"amount_minor": amount, "currency": currency, **extra})
    except ValidationError:
        return True
    return False


def _assignment_fails(target: object, field: str, value: object) -> bool:
    # Through setattr, so that mypy lets the check try what it would reject statically.
    try:
        setattr(target, field, value)
    except (ValidationError, FrozenInstanceError):
        return True
    return False


@pytest.mark.parametrize("amount", [0, 1, 1250, MAX_AMOUNT_MINOR])
def test_money_accepts_whole_minor_units_from_zero(amount: int) -> None:
    assert not _is_rejected(amount), (
        f"Money must accept amount_minor={amount}: every int from 0 to MAX_AMOUNT_MINOR is a "
        f"valid amount, zero included ({MONEY_TODO})"
    )


@pytest.mark.parametrize("amount", [-1, -1250, -MAX_AMOUNT_MINOR])
def test_money_rejects_negative_amounts(amount: int) -> None:
    assert _is_rejected(amount), (
        f"Money must reject the negative amount_minor={amount} with a ValidationError "
        f"({MONEY_TODO})"
    )


def test_money_rejects_amounts_beyond_int64() -> None:
    assert _is_rejected(MAX_AMOUNT_MINOR + 1), (
        f"Money must reject amount_minor above MAX_AMOUNT_MINOR (2**63 - 1) ({MONEY_TODO})"
    )


@pytest.mark.parametrize("amount", [12.5, 12.0, True, "1250"], ids=repr)
def test_money_rejects_anything_but_an_int(amount: object) -> None:
    assert _is_rejected(amount), (
        f"Money must reject amount_minor={amount!r}: only an int is an amount; pydantic's "
        f"default (lax) mode quietly converts it, strict mode does not ({MONEY_TODO})"
    )


@pytest.mark.parametrize("currency", ["eur", "EURO", "EU", "E1R", "", 978], ids=repr)
def test_money_rejects_currencies_that_are_not_three_uppercase_letters(currency: object) -> None:
    assert _is_rejected(currency=currency), (
        f"Money must reject currency={currency!r}: an ISO 4217 code is exactly three "
        f"uppercase letters A-Z ({MONEY_TODO})"
    )


def test_money_rejects_unknown_fields() -> None:
    assert _is_rejected(discount=5), (
        f"Money must reject unknown fields such as 'discount' (extra='forbid') ({MONEY_TODO})"
    )


def test_money_is_immutable_and_hashable() -> None:
    price = Money.model_validate({"amount_minor": 1250, "currency": "EUR"})
    assert _assignment_fails(price, "amount_minor", 1), (
        f"Money must be immutable: assigning price.amount_minor must fail; make the model "
        f"frozen ({MONEY_TODO})"
    )
    assert hash(price) == hash(Money.model_validate({"amount_minor": 1250, "currency": "EUR"}))


def _mug() -> Product:
    return Product.new(
        sku="MUG-001",
        name="Mug",
        price=Money.model_validate({"amount_minor": 1250, "currency": "EUR"}),
    )


def test_product_revised_returns_a_new_product_with_the_same_id_and_sku() -> None:
    original = _mug()
    new_price = Money.model_validate({"amount_minor": 990, "currency": "EUR"})
    try:
        revised = original.revised(name="Big mug", price=new_price)
    except NotImplementedError as error:
        message = f"Product.revised is not written yet: {error} ({PRODUCT_TODO})"
        raise AssertionError(message) from None
    assert (revised.id, revised.sku) == (original.id, original.sku), (
        f"Product.revised must keep the id and the sku ({PRODUCT_TODO})"
    )
    assert (revised.name, revised.price) == ("Big mug", new_price), (
        f"Product.revised must return the new name and price ({PRODUCT_TODO})"
    )
    assert revised is not original, f"Product.revised must return a NEW product ({PRODUCT_TODO})"
    assert (original.name, original.price.amount_minor) == ("Mug", 1250), (
        f"Product.revised must leave the original product unchanged ({PRODUCT_TODO})"
    )


@pytest.mark.parametrize("field", ["name", "price", "sku"])
def test_product_is_frozen(field: str) -> None:
    assert _assignment_fails(_mug(), field, "changed"), (
        f"assigning product.{field} must raise FrozenInstanceError: make Product a frozen "
        f"dataclass ({PRODUCT_TODO})"
    )
