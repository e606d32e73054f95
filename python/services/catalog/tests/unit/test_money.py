"""Money is a strict, immutable value object: properties over the whole input space."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from catalog.domain.money import MAX_AMOUNT_MINOR, Money

valid_amounts = st.integers(min_value=0, max_value=MAX_AMOUNT_MINOR)
valid_currencies = st.from_regex(r"[A-Z]{3}", fullmatch=True)
money = st.builds(Money, amount_minor=valid_amounts, currency=valid_currencies)


def _money(amount: Any = 1250, currency: Any = "EUR") -> Money:
    return Money.model_validate({"amount_minor": amount, "currency": currency})


@given(valid_amounts)
def test_accepts_every_amount_from_zero_to_int64_max(amount: int) -> None:
    assert _money(amount).amount_minor == amount


@given(st.integers(max_value=-1))
def test_rejects_every_negative_amount(amount: int) -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        _money(amount)


@given(st.integers(min_value=MAX_AMOUNT_MINOR + 1))
def test_rejects_amounts_beyond_int64(amount: int) -> None:
    with pytest.raises(ValidationError):
        _money(amount)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_rejects_every_float_even_integral_ones(amount: float) -> None:
    with pytest.raises(ValidationError):
        _money(amount)


@pytest.mark.parametrize("amount", [True, False, "1250", None, [1250]])
def test_rejects_non_int_amounts(amount: object) -> None:
    with pytest.raises(ValidationError):
        _money(amount)


@given(valid_currencies)
def test_accepts_every_three_uppercase_letter_currency(currency: str) -> None:
    assert _money(currency=currency).currency == currency


@given(st.text().filter(lambda text: not (len(text) == 3 and text.isascii() and text.isupper())))
def test_rejects_currencies_of_another_shape(currency: str) -> None:
    with pytest.raises(ValidationError):
        _money(currency=currency)


@pytest.mark.parametrize("currency", ["eur", "EURO", "EU", "E1R", "EUR\n", "ÉUR", 978])
def test_rejects_currency_examples(currency: object) -> None:
    with pytest.raises(ValidationError):
        _money(currency=currency)


@given(money)
def test_round_trips_through_json(value: Money) -> None:
    assert Money.model_validate_json(value.model_dump_json()) == value


def test_json_shape_is_the_contract() -> None:
    assert _money().model_dump(mode="json") == {"amount_minor": 1250, "currency": "EUR"}


def test_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Money.model_validate({"amount_minor": 1, "currency": "EUR", "discount": 5})


def test_is_immutable_and_compared_by_value() -> None:
    price = _money()
    # Through setattr, so that mypy (which knows Money is frozen) lets the test try it.
    field = "amount_minor"
    with pytest.raises(ValidationError, match="frozen"):
        setattr(price, field, 1)
    assert price == _money()
    assert hash(price) == hash(_money())
    assert price != _money(currency="USD")
