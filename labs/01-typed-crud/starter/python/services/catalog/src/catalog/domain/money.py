"""Money as a value object: an amount in minor units plus an ISO 4217 currency code.

Why minor units (cents): a float cannot hold 0.10 exactly, an integer number of cents can.
Why a pydantic model: a value object is defined only by its values and must be valid from
the moment it exists, so pydantic checks it wherever it is built (HTTP body, JSON, tests).
"""

from typing import Final

from pydantic import BaseModel

# The largest int64: the Go twin of this service keeps the amount in an int64, and both
# services must accept exactly the same bodies.
MAX_AMOUNT_MINOR: Final = 2**63 - 1


class Money(BaseModel):
    """An amount of one currency, e.g. ``Money(amount_minor=1250, currency="EUR")`` = 12.50 EUR.

    TODO(lab 1): make Money a real value object (README, step 1):
    - frozen: a value object never changes, and frozen models are hashable
      (``model_config = ConfigDict(frozen=True, extra="forbid")``; extra="forbid" rejects
      unknown fields such as ``"tax"`` instead of silently dropping them);
    - ``amount_minor``: a *strict* int from 0 to MAX_AMOUNT_MINOR. Plain ``int`` accepts -5,
      and in lax mode it quietly turns 12.0, true and "12" into ints. Hint: ``StrictInt``
      with ``Field(ge=..., le=...)`` inside ``Annotated``;
    - ``currency``: exactly three uppercase ASCII letters (``StringConstraints`` pattern).
    """

    amount_minor: int
    currency: str
