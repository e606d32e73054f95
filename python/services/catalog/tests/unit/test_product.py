"""Products and the constrained strings they are made of."""

from dataclasses import FrozenInstanceError

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from catalog.domain.money import Money
from catalog.domain.product import Product, ProductName, Sku

sku_adapter: TypeAdapter[str] = TypeAdapter(Sku)
name_adapter: TypeAdapter[str] = TypeAdapter(ProductName)
PRICE = Money(amount_minor=1250, currency="EUR")


@given(st.from_regex(r"[A-Z0-9-]{3,32}", fullmatch=True))
def test_sku_accepts_3_to_32_of_uppercase_digits_and_dashes(sku: str) -> None:
    assert sku_adapter.validate_python(sku) == sku


@pytest.mark.parametrize(
    "sku", ["MU", "M" * 33, "mug-001", "MUG 001", "MUG_001", "MÜG-001", "MUG-001\n", "", 123]
)
def test_sku_rejects_other_shapes(sku: object) -> None:
    with pytest.raises(ValidationError):
        sku_adapter.validate_python(sku)


def test_name_is_trimmed() -> None:
    assert name_adapter.validate_python("  Mug \t") == "Mug"


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "x" * 201, f"  {'x' * 201}  ", 42])
def test_name_rejects_blank_too_long_or_non_string(name: object) -> None:
    with pytest.raises(ValidationError):
        name_adapter.validate_python(name)


def test_name_length_is_counted_after_trimming() -> None:
    assert name_adapter.validate_python(f"  {'x' * 200}  ") == "x" * 200


def test_new_products_get_a_random_uuid4() -> None:
    first = Product.new(sku="MUG-001", name="Mug", price=PRICE)
    second = Product.new(sku="MUG-001", name="Mug", price=PRICE)
    assert first.id.version == 4
    assert first.id != second.id


def test_revised_keeps_id_and_sku_and_leaves_the_original_alone() -> None:
    original = Product.new(sku="MUG-001", name="Mug", price=PRICE)
    new_price = Money(amount_minor=990, currency="EUR")
    revised = original.revised(name="Big mug", price=new_price)
    assert (revised.id, revised.sku, revised.name, revised.price) == (
        original.id,
        "MUG-001",
        "Big mug",
        new_price,
    )
    assert (original.name, original.price) == ("Mug", PRICE)


def test_products_are_frozen_and_slotted() -> None:
    product = Product.new(sku="MUG-001", name="Mug", price=PRICE)
    field = "name"  # through setattr: mypy already rejects the assignment statically
    with pytest.raises(FrozenInstanceError):
        setattr(product, field, "Other")
    assert not hasattr(product, "__dict__")
