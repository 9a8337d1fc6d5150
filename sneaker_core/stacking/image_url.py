"""Numbers that a GOAT image URL carries about its product (NaN for placeholders, paths and other hosts).

`.../product_template_pictures/images/073/719/923/original/DZ4510_100.png.png` holds two things:
- the picture's sequential attachment id (073719923): an upload-date proxy, hence a release-age proxy;
- the file name: the maker's style code (Nike `DZ4510_100` or `555088_001`, adidas `GW2871`), or for
  products without one GOAT's own product id followed by `_00` (`953794_00`), also sequential in time.
The style code's letter prefix (Nike's `DZ`, `FQ`, ...) and number advance with release dates too.
"""

from __future__ import annotations

import math
import re

_GOAT_PICTURE = re.compile(r"product_template_pictures/images/(\d+)/(\d+)/(\d+)/(?:\w+/([^/?]*))?")
_TEMPLATE_FILE = re.compile(r"(\d+)_00")
_NUMERIC_STYLE = re.compile(r"(\d+)(?:_(\d{3}))?")
_LETTER_STYLE = re.compile(r"([A-Z]{2})(\d{4})(?:_(\d{3}))?")
IMAGE_COLUMNS = ("image_id", "image_template_id", "image_style_number", "image_style_letters",
                 "image_style_letter_number", "image_colour_code")


def image_url_features(image: str) -> dict[str, float]:
    """The `IMAGE_COLUMNS` of one image URL; a column the URL does not carry is NaN."""
    out = dict.fromkeys(IMAGE_COLUMNS, math.nan)
    m = _GOAT_PICTURE.search(image or "")
    if not m:
        return out
    out["image_id"] = float("".join(m.group(1, 2, 3)))
    stem = (m.group(4) or "").split(".", 1)[0].upper()
    if template := _TEMPLATE_FILE.fullmatch(stem):
        out["image_template_id"] = float(template.group(1))
    elif numeric := _NUMERIC_STYLE.fullmatch(stem):
        out["image_style_number"] = float(numeric.group(1))
        out["image_colour_code"] = float(numeric.group(2)) if numeric.group(2) else math.nan
    elif letters := _LETTER_STYLE.fullmatch(stem):
        first, second = (ord(c) - ord("A") for c in letters.group(1))
        out["image_style_letters"] = float(26 * first + second)
        out["image_style_letter_number"] = float(letters.group(2))
        out["image_colour_code"] = float(letters.group(3)) if letters.group(3) else math.nan
    return out
