"""Per-search facts of the real 2023 catalog, embedded as numbers (the CSV itself is never copied).

Computed once from ../shared/data/goat_catalog_2023.csv (13,627 rows) by grouping rows on `search_model`:
- `listings`: rows the search returned;
- `own`, `other`, `apparel`, `slides`, `off`: shares of those rows whose lowercase title matches the searched
  model's registry pattern / another registry model / an apparel word (tee, hoodie, sock, cap, ...) / a slide
  or sandal word / nothing of these (an untracked model such as "Jordan Zion 3"); apparel counts first, so
  Bapesta's "BAPE Sta Tee" rows (11.6% of that search) are apparel, not own;
- `no_price`: share of rows with an empty price;
- `median`, `q25`, `q75`: median and quartiles (exp of the quartiles of log price) in dollars of the priced,
  on-model, non-apparel rows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchFacts:
    """Real-catalog facts of one model's search."""

    listings: int
    own: float
    other: float
    apparel: float
    slides: float
    off: float
    no_price: float
    median: float
    q25: float
    q75: float


# key: (listings, own, other, apparel, slides, off, no_price, median $, q25 $, q75 $)
_ROWS: dict[str, tuple[float, ...]] = {
    "adidas-forum": (467, 1.000, 0.000, 0.000, 0.000, 0.000, 0.141, 98.0, 76.0, 127.0),
    "adidas-samba": (247, 1.000, 0.000, 0.000, 0.000, 0.000, 0.287, 167.0, 117.0, 255.0),
    "adidas-stan-smith": (660, 0.985, 0.002, 0.000, 0.000, 0.014, 0.232, 107.0, 82.0, 154.0),
    "air-jordan-1": (1485, 0.863, 0.002, 0.002, 0.000, 0.133, 0.182, 231.5, 137.0, 384.0),
    "air-jordan-2": (427, 0.159, 0.063, 0.009, 0.014, 0.754, 0.314, 268.5, 140.0, 581.0),
    "air-jordan-3": (316, 0.361, 0.038, 0.006, 0.016, 0.579, 0.263, 335.0, 245.0, 632.0),
    "air-jordan-4": (226, 0.549, 0.097, 0.000, 0.044, 0.310, 0.243, 451.0, 334.0, 663.0),
    "air-jordan-5": (284, 0.496, 0.074, 0.000, 0.046, 0.384, 0.320, 306.5, 219.0, 533.0),
    "air-jordan-6": (230, 0.700, 0.000, 0.000, 0.048, 0.252, 0.235, 211.0, 142.0, 325.0),
    "air-jordan-11": (174, 0.759, 0.011, 0.000, 0.006, 0.224, 0.115, 304.0, 187.0, 418.0),
    "air-jordan-12": (143, 0.699, 0.000, 0.000, 0.014, 0.287, 0.217, 289.0, 202.0, 410.0),
    "dunk-low": (1100, 0.981, 0.002, 0.000, 0.000, 0.017, 0.175, 422.0, 191.0, 773.0),
    "dunk-high": (843, 0.982, 0.001, 0.001, 0.000, 0.015, 0.155, 314.0, 166.0, 553.0),
    "air-force-1": (3064, 0.991, 0.000, 0.000, 0.000, 0.009, 0.243, 196.0, 124.0, 308.0),
    "air-max-1": (864, 0.838, 0.029, 0.000, 0.000, 0.133, 0.235, 247.0, 167.0, 392.0),
    "air-max-90": (1084, 0.956, 0.000, 0.000, 0.000, 0.044, 0.263, 187.0, 120.0, 307.0),
    "new-balance-550": (118, 1.000, 0.000, 0.000, 0.000, 0.000, 0.025, 107.0, 89.0, 164.0),
    "new-balance-2002r": (157, 0.949, 0.000, 0.000, 0.000, 0.051, 0.032, 141.0, 124.0, 187.0),
    "new-balance-990": (267, 1.000, 0.000, 0.000, 0.000, 0.000, 0.157, 228.0, 176.0, 337.0),
    "yeezy-350": (78, 0.987, 0.000, 0.000, 0.000, 0.013, 0.038, 233.0, 188.0, 289.0),
    "yeezy-700": (50, 1.000, 0.000, 0.000, 0.000, 0.000, 0.020, 239.0, 207.0, 298.0),
    "yeezy-slides": (29, 0.655, 0.000, 0.000, 0.172, 0.172, 0.138, 115.0, 105.0, 152.0),
    "yeezy-foam-runner": (23, 0.696, 0.043, 0.000, 0.000, 0.261, 0.000, 143.5, 121.0, 199.0),
    "bapesta": (887, 0.759, 0.000, 0.130, 0.000, 0.112, 0.531, 404.0, 295.0, 588.0),
    "crocs": (404, 0.903, 0.000, 0.000, 0.077, 0.020, 0.131, 106.0, 79.0, 201.0),
}

SEARCH_FACTS: dict[str, SearchFacts] = {k: SearchFacts(int(v[0]), *v[1:]) for k, v in _ROWS.items()}

# Real catalog: 23.2% of rows unpriced, 15.0% of rows repeat an earlier title, prices $17 .. $100,007.
MIN_PRICE_DOLLARS = 17.0
MAX_PRICE_DOLLARS = 100_007.0
