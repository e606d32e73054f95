"""Money as a value object: an amount in minor units plus an ISO 4217 currency code.

Why minor units (cents): a float cannot hold 0.10 exactly, an integer number of cents can.
Why a pydantic model: a value object is defined only by its values and must be valid from
the moment it exists, so pydantic checks it wherever it is built (HTTP body, JSON, tests).
"""

from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

# The largest int64: the Go twin of this service keeps the amount in an int64, and both
# services must accept exactly the same bodies.
MAX_AMOUNT_MINOR: Final = 2**63 - 1

# Strict: JSON 12.5, 12.0, true and "12" are all rejected instead of being coerced to 12/1.
AmountMinor = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_MINOR)]

# The *shape* of an ISO 4217 code; whether the code is assigned is not the catalog's business.
CurrencyCode = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{3}$")]


class Money(BaseModel):
    """An amount of one currency, e.g. ``Money(amount_minor=1250, currency="EUR")`` = 12.50 EUR.

    Frozen: a value object never changes (and so it can be hashed and shared); "changing" a
    price means building a new Money. Unknown fields are errors, not silently dropped.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount_minor: AmountMinor
    currency: CurrencyCode
