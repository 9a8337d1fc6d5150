"""The candidates that compete to publish a price target's predictions (`selection.compete`).

All are scikit-learn classifiers over the meta feature frame (`meta.meta_features`), so one grouped
cross-validation scores them alike:
- `ColumnProbs`: probabilities a model fit elsewhere already wrote into the frame (the target's CNN, the title
  model); nothing is learnt from the rows it is scored on;
- `PooledProbs`: log-linear pooling of the CNN and title probabilities, p ∝ cnn^a · title^b, with the two
  weights a, b >= 0 fitted by log loss: two numbers, so it can learn how far to trust each side without the
  variance of a meta-model over a hundred features;
- the meta-models (`meta_candidates`): multinomial logistic regression over every feature, choosing its C by an
  inner grouped cross-validation (`GridSearchCV`), and `BoostedMeta` with fixed small-tree settings: an inner
  grid search of boosted trees, repeated in every outer fold, would cost more than all other candidates together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from sneaker_core.stacking.estimate import TREE_THREADS
from sneaker_core.stacking.features import categorical_mask

LOGREG_GRID = {"logisticregression__C": [0.1, 1.0, 10.0]}
BOOSTED_PARAMS = {"learning_rate": 0.05, "max_leaf_nodes": 7, "max_iter": 100}
INNER_FOLDS = 3
POOL_MAX_WEIGHT = 5.0
_FLOOR = 1e-6  # probabilities are floored before the log, so one confident miss cannot dominate the pooling fit


def column_probs(X: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """The probability columns as a row-normalised matrix; a row with a missing value (no CNN output for that
    product) is uniform."""
    p = X[list(columns)].to_numpy(float)
    p[np.isnan(p).any(axis=1)] = 1.0 / len(columns)
    p = np.clip(p, 0.0, None)
    return p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)


class ColumnProbs(ClassifierMixin, BaseEstimator):
    """The class probabilities in `columns` (one per class, in class order), as they are."""

    def __init__(self, columns: Sequence[str] = ()) -> None:
        self.columns = columns

    def fit(self, X: pd.DataFrame, y=None) -> ColumnProbs:
        self.classes_ = np.arange(len(self.columns))
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "classes_")
        return column_probs(X, self.columns)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)


class PooledProbs(ClassifierMixin, BaseEstimator):
    """p ∝ first^a · second^b over the classes of two probability blocks; `weights_` = (a, b)."""

    def __init__(self, first: Sequence[str] = (), second: Sequence[str] = ()) -> None:
        self.first = first
        self.second = second

    def _logs(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        return (np.log(np.maximum(column_probs(X, self.first), _FLOOR)),
                np.log(np.maximum(column_probs(X, self.second), _FLOOR)))

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> PooledProbs:
        if len(self.first) != len(self.second):
            raise ValueError(f"pooling needs two blocks of one class count, got {len(self.first)} and "
                             f"{len(self.second)}")
        a, b = self._logs(X)
        y = np.asarray(y)
        rows = np.arange(len(y))

        def loss(w: np.ndarray) -> float:
            return float(-np.mean(log_softmax(w[0] * a + w[1] * b, axis=1)[rows, y]))

        fit = minimize(loss, x0=np.array([0.5, 0.5]), method="L-BFGS-B", bounds=[(0.0, POOL_MAX_WEIGHT)] * 2)
        self.weights_ = tuple(float(w) for w in fit.x)
        self.classes_ = np.arange(len(self.first))
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "weights_")
        a, b = self._logs(X)
        return np.exp(log_softmax(self.weights_[0] * a + self.weights_[1] * b, axis=1))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)


class BoostedMeta(ClassifierMixin, BaseEstimator):
    """HistGradientBoostingClassifier on dense features (NaN allowed); all-NaN columns are left out, one OpenMP
    thread. `categorical` marks the label-code columns (one bool per column, or None)."""

    def __init__(self, categorical: np.ndarray | None = None, learning_rate: float = 0.1, max_leaf_nodes: int = 31,
                 max_iter: int = 100, seed: int = 0) -> None:
        self.categorical = categorical
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.max_iter = max_iter
        self.seed = seed

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X, y) -> BoostedMeta:
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan")
        self.keep_ = ~np.all(np.isnan(X), axis=0)
        cat = None if self.categorical is None else np.asarray(self.categorical, dtype=bool)[self.keep_]
        self.model_ = HistGradientBoostingClassifier(
            categorical_features=cat if cat is not None and cat.any() else None, learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes, max_iter=self.max_iter, early_stopping=False,
            random_state=self.seed)
        with threadpool_limits(TREE_THREADS, user_api="openmp"):
            self.model_.fit(X[:, self.keep_], y)
        self.classes_ = self.model_.classes_
        self.n_iter_ = self.model_.n_iter_
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        with threadpool_limits(TREE_THREADS, user_api="openmp"):
            return self.model_.predict_proba(X[:, self.keep_])

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _logreg_input(X: pd.DataFrame) -> pd.DataFrame:
    """NaN probabilities -> 0; categorical codes -> strings for the one-hot encoder (-1 = none)."""
    codes = {c: X[c].fillna(-1).astype(int).astype(str) for c in X.columns if c.startswith("code_")}
    return X.fillna(0.0).assign(**codes)


def make_logreg(columns: Sequence[str], seed: int, C: float = 1.0):
    """NaN -> 0, scaled numeric columns + one-hot categorical codes -> multinomial logistic regression."""
    cat = [c for c in columns if c.startswith("code_")]
    num = [c for c in columns if not c.startswith("code_")]
    prep = ColumnTransformer([("num", StandardScaler(), num), ("cat", OneHotEncoder(handle_unknown="ignore"), cat)])
    return make_pipeline(FunctionTransformer(_logreg_input), prep,
                         LogisticRegression(C=C, max_iter=1000, random_state=seed))


def meta_candidates(columns: Sequence[str], seed: int) -> dict[str, BaseEstimator]:
    """The two meta-models; the logistic regression's C is chosen by grouped CV on the rows it is fit on (pass
    `groups` to fit)."""
    return {
        "meta_logreg": GridSearchCV(make_logreg(columns, seed), LOGREG_GRID, cv=GroupKFold(n_splits=INNER_FOLDS),
                                    scoring="accuracy"),
        "meta_boosted": BoostedMeta(categorical=categorical_mask(columns), seed=seed, **BOOSTED_PARAMS),
    }


def price_candidates(target: str, columns: Sequence[str], seed: int) -> dict[str, BaseEstimator]:
    """Every candidate of one price target, simplest first (the order breaks ties)."""
    cnn = [c for c in columns if c.startswith(f"cnn_{target}__")]
    title = [c for c in columns if c.startswith(f"title_{target}__")]
    if [c.split("__", 1)[1] for c in cnn] != [c.split("__", 1)[1] for c in title]:
        raise ValueError(f"{target}: the CNN and the title model name different classes")
    return {f"cnn_{target}": ColumnProbs(cnn), "title_only": ColumnProbs(title), "pooled": PooledProbs(cnn, title),
            **meta_candidates(columns, seed)}
