"""Title features (word + character TF-IDF, parsed attributes, labels) and CNN-probability features.

A feature frame has one row per product with the five `FRAME_COLUMNS`: `title`, `search_model`, `model`,
`brand` and `image` (any but the title may be empty), and the market columns (`market_features.MARKET_COLUMNS`:
retail price and age at the as-of date, NaN with a 0 indicator where unknown). `TitleFeaturizer` turns it into a
sparse matrix for linear models; `dense_title_features` gives the small dense table (attributes, label codes,
image-URL numbers) that boosted trees use.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.utils.validation import check_is_fitted

from sneaker_core.stacking.image_url import IMAGE_COLUMNS, image_url_features
from sneaker_core.stacking.market_features import MARKET_COLUMNS, market_columns
from sneaker_core.titles import normalise_title, title_attributes

FRAME_COLUMNS = ("title", "search_model", "model", "brand", "image")
LABEL_COLUMNS = ("search_model", "model", "brand")
# Markers that move a price a lot but that `title_attributes` does not flag.
_MARKERS = {
    "kids": re.compile(r"\b(?:gs|ps|td|bg|bp|big kids?|little kids?|kids|toddler|infant|youth|baby|crib)\b"),
    "womens": re.compile(r"\b(?:wmns|womens|women's|women)\b"),
    "custom": re.compile(r"\b(?:by you|id|custom|customs?)\b"),
    "premium": re.compile(r"\b(?:premium|prm|qs|sp|nrg|lux|luxe)\b"),
    "special_box": re.compile(r"\b(?:special box|special \w+ box|friends (?:&|and) family|f&f|promo)\b"),
    "slide": re.compile(r"\b(?:slides?|sandals?|clogs?|mules?)\b"),
}
ATTRIBUTE_COLUMNS = (
    "collaboration", "retro", "og", "sb", "sample", "pe", "low", "mid", "high", *_MARKERS,
    "has_colourway", "n_colours", "n_words", "year", "age",
)
REFERENCE_YEAR = 2024


def feature_frame(df: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """The text feature columns as clean strings ('' where missing) and the market columns from the optional
    `retail_usd` / `release_date` columns, the age taken at `as_of` (one date) or else at each row's `as_of`
    column; other columns (market-side figures such as bids, asks or sales among them) are never read."""
    out = pd.DataFrame(index=df.index)
    for col in FRAME_COLUMNS:
        values = df[col] if col in df.columns else pd.Series("", index=df.index)
        out[col] = values.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
    if as_of is None and "as_of" in df.columns:
        as_of = df["as_of"]
    return pd.concat([out, market_columns(df, as_of)], axis=1)


def title_attribute_row(title: str) -> dict[str, float]:
    """Numeric attributes of one title (NaN year when none is written)."""
    norm = normalise_title(title)
    attrs = title_attributes(norm)
    row = {k: float(attrs[k]) for k in ("collaboration", "retro", "og", "sb", "sample", "pe", "low", "mid", "high")}
    for name, pattern in _MARKERS.items():
        row[name] = float(bool(pattern.search(norm)))
    row["has_colourway"] = float(attrs["colourway"] is not None)
    row["n_colours"] = float(len(attrs["colours"]))
    row["n_words"] = float(len(norm.split()))
    row["year"] = float(attrs["year"]) if attrs["year"] else math.nan
    row["age"] = REFERENCE_YEAR - row["year"]
    return row


def attribute_matrix(titles: Sequence[str]) -> pd.DataFrame:
    """`title_attribute_row` for every title (cached per distinct title)."""
    cache: dict[str, dict[str, float]] = {}
    rows = []
    for title in titles:
        if title not in cache:
            cache[title] = title_attribute_row(title)
        rows.append(cache[title])
    return pd.DataFrame(rows, columns=list(ATTRIBUTE_COLUMNS))


class TitleFeaturizer(TransformerMixin, BaseEstimator):
    """Sparse title features: word 1-2-gram TF-IDF, char_wb 2-5-gram TF-IDF, label one-hots, attributes."""

    def __init__(self, min_df_char: int = 2) -> None:
        self.min_df_char = min_df_char

    @staticmethod
    def _parts(frame: pd.DataFrame) -> tuple[list[str], pd.DataFrame, np.ndarray]:
        titles = [normalise_title(t) for t in frame["title"]]
        attrs = attribute_matrix(list(frame["title"])).drop(columns=["year"]).fillna(0.0).to_numpy()
        return titles, frame[list(LABEL_COLUMNS)].apply(lambda s: s.str.lower()), attrs

    def fit(self, frame: pd.DataFrame, y=None) -> TitleFeaturizer:
        titles, labels, attrs = self._parts(frame)
        self.word_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                     token_pattern=r"(?u)\b\w[\w']*\b").fit(titles)
        self.char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                     min_df=self.min_df_char).fit(titles)
        self.labels_ = OneHotEncoder(handle_unknown="ignore").fit(labels)
        self.attr_scale_ = np.maximum(np.abs(attrs).max(axis=0), 1.0)
        return self

    def transform(self, frame: pd.DataFrame) -> sp.csr_matrix:
        check_is_fitted(self, "attr_scale_")
        titles, labels, attrs = self._parts(frame)
        blocks = [self.word_.transform(titles), self.char_.transform(titles), self.labels_.transform(labels),
                  sp.csr_matrix(attrs / self.attr_scale_)]
        return sp.hstack(blocks).tocsr()


class LabelCodes(TransformerMixin, BaseEstimator):
    """Ordinal codes for search_model/model/brand (NaN for empty or unseen) so boosted trees treat them as categories."""

    @staticmethod
    def _values(frame: pd.DataFrame) -> pd.DataFrame:
        lowered = frame[list(LABEL_COLUMNS)].apply(lambda s: s.str.lower()).astype(object)
        return lowered.where(lowered != "", np.nan)

    def fit(self, frame: pd.DataFrame, y=None) -> LabelCodes:
        self.encoder_ = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                       encoded_missing_value=np.nan).fit(self._values(frame))
        return self

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "encoder_")
        codes = self.encoder_.transform(self._values(frame))
        return pd.DataFrame(codes, columns=[f"code_{c}" for c in LABEL_COLUMNS], index=frame.index)


def dense_title_features(frame: pd.DataFrame, codes: LabelCodes) -> pd.DataFrame:
    """Attributes, label codes, the image-URL numbers (`IMAGE_COLUMNS`) and the market columns
    (`MARKET_COLUMNS`; NaN where the frame has none), one row per frame row (index kept)."""
    attrs = attribute_matrix(list(frame["title"]))
    attrs.index = frame.index
    image = pd.DataFrame([image_url_features(i) for i in frame["image"]], columns=list(IMAGE_COLUMNS),
                         index=frame.index)
    market = frame.reindex(columns=list(MARKET_COLUMNS)).astype(float)
    return pd.concat([attrs, codes.transform(frame), image, market], axis=1)


def categorical_mask(columns: Sequence[str]) -> np.ndarray:
    """Which dense columns are label codes (categorical for HistGradientBoosting)."""
    return np.array([c.startswith("code_") for c in columns], dtype=bool)


def cnn_prob_features(probs: Mapping[str, pd.DataFrame], product_ids: Sequence) -> pd.DataFrame:
    """The `p__<class>` columns of every CNN target, renamed `cnn_<target>__<class>`, aligned to `product_ids`.

    A product a CNN has no row for gets NaN (boosted trees take it; linear models see it filled with 0).
    """
    blocks = []
    for target in sorted(probs):
        df = probs[target].drop_duplicates("product_id").set_index("product_id")
        cols = [c for c in df.columns if c.startswith("p__")]
        block = df[cols].reindex(list(product_ids))
        block.columns = [f"cnn_{target}__{c[3:]}" for c in cols]
        blocks.append(block.reset_index(drop=True))
    return pd.concat(blocks, axis=1) if blocks else pd.DataFrame(index=range(len(product_ids)))
