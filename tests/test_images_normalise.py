"""The normaliser on a corpus of good, odd and bad images generated here: outcome, pixels, geometry."""

from __future__ import annotations

import io

import numpy as np
import pytest
from image_corpus import CORPUS, NOISE_JPEG, NOISE_PNG, encode
from PIL import Image

from sneaker_core.images.normalise import BadImage, check_magic, normalise, normalise_result

SIZE, QUALITY, MAX_PIXELS = 32, 95, 40_000_000


def decode(jpeg: bytes) -> np.ndarray:
    img = Image.open(io.BytesIO(jpeg))
    assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (SIZE, SIZE))
    return np.asarray(img).astype(int)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_outcome(name: str) -> None:
    data, expected = CORPUS[name]
    jpeg, info = normalise_result(data, SIZE, QUALITY, MAX_PIXELS)
    if expected == "ok":
        assert jpeg is not None, info
        decode(jpeg)
    else:
        assert jpeg is None and info["reason"] == expected, info


def test_transparency_becomes_white_not_black() -> None:
    for name in ("la", "webp_rgba"):
        px = decode(normalise(CORPUS[name][0], SIZE, QUALITY, MAX_PIXELS)[0])
        assert px.min() >= 250, name  # fully transparent black pixels -> white
    px = decode(normalise(CORPUS["palette_transparency"][0], SIZE, QUALITY, MAX_PIXELS)[0])
    assert px[1, 1].min() >= 250  # transparent corner: white
    r, g, b = px[SIZE // 2, SIZE // 2]
    assert r >= 240 and g <= 15 and b <= 15  # the opaque red square stays red


def test_half_transparent_red_blends_with_white() -> None:
    data = encode(Image.new("RGBA", (40, 40), (255, 0, 0, 128)), "PNG")
    r, g, b = decode(normalise(data, SIZE, QUALITY, MAX_PIXELS)[0])[16, 16]
    assert r >= 250 and 120 <= g <= 135 and 120 <= b <= 135


def test_aspect_ratio_kept_with_white_bars() -> None:
    data = encode(Image.new("RGB", (200, 100), (0, 0, 0)), "PNG")
    jpeg, info = normalise(data, SIZE, QUALITY, MAX_PIXELS)
    px = decode(jpeg)
    assert (info.orig_width, info.orig_height, info.orig_mode, info.orig_format) == (200, 100, "RGB", "PNG")
    assert px[:6].min() >= 245 and px[-6:].min() >= 245  # white bars above and below (rows 0-7, 24-31)
    assert px[10:22].max() <= 10  # the black content in the middle 16 rows
    assert px[10:22, 0].max() <= 10 and px[10:22, -1].max() <= 10  # full width


def test_modes_convert_with_correct_colours() -> None:
    assert np.abs(decode(normalise(CORPUS["png_16bit"][0], SIZE, QUALITY, MAX_PIXELS)[0]) - 128).max() <= 2
    r, g, b = decode(normalise(CORPUS["animated_gif"][0], SIZE, QUALITY, MAX_PIXELS)[0])[16, 16]
    assert r >= 245 and g <= 10 and b <= 10  # first frame (red)
    assert normalise(CORPUS["animated_gif"][0], SIZE, QUALITY, MAX_PIXELS)[1].frames == 3
    r, g, b = decode(normalise(CORPUS["cmyk_jpeg"][0], SIZE, QUALITY, MAX_PIXELS)[0])[16, 16]
    assert r >= 240 and g <= 15 and b <= 15  # C=0 M=255 Y=255 K=0 is red
    assert decode(normalise(CORPUS["one_pixel"][0], SIZE, QUALITY, MAX_PIXELS)[0])[:, :, 2].min() >= 245


def test_wide_image_is_a_thin_centred_strip() -> None:
    px = decode(normalise(CORPUS["wide_10000x100"][0], SIZE, QUALITY, MAX_PIXELS)[0])
    assert px[15].max() <= 10  # 10000x100 scales to 32x1 (at least one row), centred at row 15
    assert px[:15].min() >= 245 and px[16:].min() >= 245


def test_output_is_deterministic_and_size_follows_setting() -> None:
    data = CORPUS["webp_rgba"][0]
    assert normalise(data, 48, 90, MAX_PIXELS)[0] == normalise(data, 48, 90, MAX_PIXELS)[0]
    assert Image.open(io.BytesIO(normalise(data, 48, 90, MAX_PIXELS)[0])).size == (48, 48)


def test_check_magic_names_formats() -> None:
    assert check_magic(NOISE_PNG) == "PNG" and check_magic(NOISE_JPEG) == "JPEG"
    assert check_magic(CORPUS["animated_gif"][0]) == "GIF" and check_magic(CORPUS["webp_rgba"][0]) == "WEBP"
    with pytest.raises(BadImage) as exc:
        check_magic(b"   \n<html>")
    assert exc.value.reason == "not_an_image"
