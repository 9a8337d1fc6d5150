"""The one definition of the headline class scores (CNN metrics, meta-model comparison, title models, benches)."""

import numpy as np
import pytest

from sneaker_core.scoring import class_scores, majority_class, majority_scores


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
