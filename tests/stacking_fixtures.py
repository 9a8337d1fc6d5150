"""Synthetic catalog rows for the title-model and stacking tests (no real data involved)."""

from __future__ import annotations

import numpy as np
import pandas as pd

MODELS = (("Air Jordan 1", "Air Jordan 1 Retro High OG", 180.0), ("Dunk Low", "Dunk Low", 120.0),
          ("Adidas Samba", "Samba OG", 90.0), ("Yeezy 350", "Yeezy Boost 350 V2", 260.0),
          ("New Balance 550", "550", 110.0), ("Bapesta", "Bapesta Low", 400.0))
COLOURS = ("Black", "White", "Red", "Blue", "Green", "Grey", "Pink", "Gold", "Navy", "Orange", "Cream", "Olive")
COLLABS = ("Travis Scott", "Off-White", "Union")


def synthetic_catalog(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Rows whose price follows model, collaboration and 'Sample'; a few rows are unpriced or malformed."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        search, name, base = MODELS[i % len(MODELS)]
        c1, c2 = rng.choice(COLOURS, 2, replace=False)
        collab = rng.random() < 0.2
        sample = rng.random() < 0.1
        title = f"{rng.choice(COLLABS) + ' x ' if collab else ''}{name} '{c1} {c2}'{' Sample' if sample else ''}"
        price = base * (3.0 if collab else 1.0) * (2.0 if sample else 1.0) * float(np.exp(rng.normal(0, 0.1)))
        rows.append({"search_model": search, "title": title, "image": f"https://cdn.example/{i}.png",
                     "price": f"${price:,.0f}"})
    df = pd.DataFrame(rows)
    df.loc[0, "price"] = ""
    df.loc[1, "price"] = "Sold Out"
    df.loc[2, "price"] = "$100,007"
    return df
