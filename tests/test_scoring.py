"""The one definition of the headline scores: classes (CNN metrics, meta-model comparison, title models, benches)
and prices (the dollar estimate of the stacking stage, the title models, the report)."""

import numpy as np
import pytest

from sneaker_core.scoring import class_scores, majority_class, majority_scores, price_metrics


def test_scores_on_a_hand_made_example():
    true = np.array([0, 0, 1, 2, 2, -1])  # the last row's truth is unknown: not scored
    pred = np.array([0, 1, 1, 0, 2, 2])
    s = class_scores(true, pred)
    assert s["n"] == 5
    assert s["accuracy"] == pytest.approx(3 / 5)
    assert s["within_one"] == pytest.approx(4 / 5)  # only 2 -> 0 is off by two
    # by hand: class 0 precision 1/2 recall 1/2 (F1 1/2), class 1 p 1/2 r 1 (2/3), class 2 p 1 r 1/2 (2/3)
    assert s["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 2 / 3) / 3)


def test_macro_f1_ignores_classes_absent_from_truth_and_predictions():
    # class 3 never occurs: it does not drag the average down
    assert class_scores(np.array([0, 1, 2]), np.array([0, 1, 2]))["macro_f1"] == 1.0


def test_no_known_truth_gives_empty_scores():
    assert class_scores(np.array([-1, -1]), np.array([0, 1])) == {"accuracy": None, "macro_f1": None,
                                                                  "within_one": None, "n": 0}


def test_majority_ignores_unknown_training_labels():
    train = np.array([-1, -1, -1, 2, 2, 1])
    assert majority_class(train) == 2
    assert majority_scores(train, np.array([2, 1, 2, 0]))["accuracy"] == 0.5


def test_price_metrics_on_a_hand_made_example():
    m = price_metrics(np.array([100.0, 200.0]), np.array([110.0, 100.0]), np.array([90.0, 150.0]),
                      np.array([120.0, 190.0]))
    assert m == {"mdape": pytest.approx(0.3), "mae": pytest.approx(55.0), "coverage_10_90": 0.5, "n": 2}


def test_price_coverage_counts_only_rows_with_an_interval():
    nan = float("nan")
    m = price_metrics(np.array([100.0, 200.0, 50.0]), np.array([100.0, 200.0, 50.0]),
                      np.array([90.0, 210.0, nan]), np.array([110.0, 250.0, nan]))
    assert m["coverage_10_90"] == 0.5 and m["mdape"] == 0.0 and m["n"] == 3
    assert price_metrics(np.array([10.0]), np.array([10.0]), np.array([nan]), np.array([nan]))["coverage_10_90"] is None
    assert price_metrics(np.array([]), np.array([]), np.array([]), np.array([]))["n"] == 0
