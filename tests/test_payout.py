"""Net payout: exact values by hand, named outcomes, settings, and no training cache key holds the schedule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sneaker_core.payout import (
    FEES_EXCEED_PRICE,
    NO_PRICE,
    NOT_A_PRICE,
    OK,
    FeeSchedule,
    Payout,
    net_payout,
    net_payouts,
    schedule_from,
)
from sneaker_core.settings import Settings

GOAT = FeeSchedule(commission_rate=0.095, seller_fee_usd=5.0, cashout_rate=0.029)


def test_net_payout_exact_values():
    # 200 x 0.905 = 181.00; - 5 = 176.00; x 0.971 = 170.896 -> 170.90
    assert net_payout(200.0, GOAT) == Payout(170.9, OK)
    # no cash-out: 100 x 0.905 - 5 = 85.50
    assert net_payout(100, FeeSchedule(0.095, 5.0)) == Payout(85.5, OK)
    # 12 % and $0: 1,000 x 0.88 = 880.00
    assert net_payout(1000.0, FeeSchedule(0.12, 0.0)) == Payout(880.0, OK)
    # 5 x 0.905 = 4.525; - 5 = -0.475; x 0.971 = -0.461 -> the seller would owe 0.46
    assert net_payout(5.0, GOAT) == Payout(-0.46, FEES_EXCEED_PRICE)


@pytest.mark.parametrize("value, outcome", [(None, NO_PRICE), (math.nan, NO_PRICE), ("abc", NOT_A_PRICE),
                                            (-3.0, NOT_A_PRICE), (0, NOT_A_PRICE), (math.inf, NOT_A_PRICE)])
def test_missing_or_bad_prices_are_named_outcomes(value, outcome):
    assert net_payout(value, GOAT) == Payout(None, outcome)


def test_net_payouts_vector_nan_where_no_price():
    out = net_payouts([200.0, None, np.nan, 100.0], GOAT)
    assert out[0] == 170.9 and out[3] == 83.02  # (90.5 - 5) x 0.971 = 83.0205
    assert np.isnan(out[1]) and np.isnan(out[2])


def test_schedule_validation_and_settings_defaults(monkeypatch):
    with pytest.raises(ValueError, match="commission_rate 9.5 must be a fraction"):
        FeeSchedule(9.5, 5.0)
    with pytest.raises(ValueError, match="seller_fee_usd -1"):
        FeeSchedule(0.1, -1.0)
    assert schedule_from(Settings()) == GOAT
    monkeypatch.setenv("SNEAKER_FEE_COMMISSION_RATE", "0.12")
    monkeypatch.setenv("SNEAKER_FEE_CASHOUT_RATE", "0")
    assert schedule_from(Settings()) == FeeSchedule(0.12, 5.0, 0.0)


def test_changing_the_schedule_changes_no_training_cache_key_but_restacks(tmp_path):
    from tasks import stack, train

    base = Settings(data_dir=tmp_path)
    other = base.model_copy(update={"fee_commission_rate": 0.2, "fee_seller_usd": 30.0, "fee_cashout_rate": 0.0})
    assert schedule_from(other) != schedule_from(base)
    run = {"run_id": "r1", "files": [{"path": "split.parquet", "sha256": "abc"}]}
    trained = {"price_band": {"model_path": "models/price_band.keras", "model_sha256": "def", "accuracy": 0.5}}
    assert train._prepare_key(None, {"run_id": "r1", "settings": base}) == \
        train._prepare_key(None, {"run_id": "r1", "settings": other})
    assert train._train_key(None, {"target": "price_band", "run": run, "settings": base}) == \
        train._train_key(None, {"target": "price_band", "run": run, "settings": other})
    # predictions.csv carries the payouts, so the stack stage (no training) runs again with the new schedule
    assert stack._key(None, {"run_id": "r1", "trained": trained, "settings": base}) != \
        stack._key(None, {"run_id": "r1", "trained": trained, "settings": other})
    # the keys do move with a setting that changes training (a check that the comparison can fail)
    assert train._prepare_key(None, {"run_id": "r1", "settings": base}) != \
        train._prepare_key(None, {"run_id": "r1", "settings": base.model_copy(update={"seed": 1})})
