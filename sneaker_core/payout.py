"""What a seller receives for a sale: the price less the marketplace's commission, its fixed seller fee and,
when the balance is cashed out to a bank, the cash-out fee.

    net = (price x (1 - commission_rate) - seller_fee_usd) x (1 - cashout_rate), rounded to cents

Applied at output time only (`sneaker predict`, the predictions tables, the report), never inside a cached
training step: the schedule is no part of any training cache key, so changing it re-trains nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sneaker_core.settings import Settings

OK, NO_PRICE, NOT_A_PRICE, FEES_EXCEED_PRICE = "ok", "no price", "not a price", "fees exceed the price"


@dataclass(frozen=True)
class FeeSchedule:
    """Shares are fractions of the amount they apply to (0.095 = 9.5 %)."""

    commission_rate: float
    seller_fee_usd: float
    cashout_rate: float = 0.0

    def __post_init__(self) -> None:
        for name in ("commission_rate", "cashout_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate < 1.0:
                raise ValueError(f"fee schedule: {name} {rate} must be a fraction in [0, 1), e.g. 0.095 for 9.5 %")
        if not self.seller_fee_usd >= 0.0:
            raise ValueError(f"fee schedule: seller_fee_usd {self.seller_fee_usd} must be >= 0 dollars")

    def to_json(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class Payout:
    """A net payout and its outcome: `OK`; `FEES_EXCEED_PRICE` (net_usd is the negative amount the seller would
    owe); `NO_PRICE` or `NOT_A_PRICE` (net_usd None)."""

    net_usd: float | None
    outcome: str


def schedule_from(settings: Settings) -> FeeSchedule:
    """The fee schedule of the settings (`fee_commission_rate`, `fee_seller_usd`, `fee_cashout_rate`)."""
    return FeeSchedule(settings.fee_commission_rate, settings.fee_seller_usd, settings.fee_cashout_rate)


def net_payout(usd: float | None, schedule: FeeSchedule) -> Payout:
    """The seller's net payout for a sale at `usd` dollars."""
    if usd is None or (isinstance(usd, float) and np.isnan(usd)):
        return Payout(None, NO_PRICE)
    try:
        price = float(usd)
    except (TypeError, ValueError):
        return Payout(None, NOT_A_PRICE)
    if not np.isfinite(price) or price <= 0:
        return Payout(None, NOT_A_PRICE)
    net = (price * (1.0 - schedule.commission_rate) - schedule.seller_fee_usd) * (1.0 - schedule.cashout_rate)
    return Payout(round(net, 2), OK if net > 0 else FEES_EXCEED_PRICE)


def net_payouts(prices_usd: Iterable[float | None], schedule: FeeSchedule) -> np.ndarray:
    """`net_payout` of every price as a float array, NaN where a price is missing or not a price."""
    return np.array([np.nan if (p := net_payout(u, schedule)).net_usd is None else p.net_usd for u in prices_usd],
                    dtype=float)
