"""The normaliser on a corpus of good, odd and bad images generated here: outcome, pixels, geometry."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from sneaker_core.images.normalise import BadImage, check_magic, normalise, normalise_result

SIZE, QUALITY, MAX_PIXELS = 32, 95, 40_000_000


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def noise(w: int = 64, h: int = 64) -> Image.Image:
    return Image.fromarray(np.random.default_rng(0).integers(0, 255, (h, w, 3), dtype=np.uint8))


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR that claims huge dimensions, with a tiny body (a bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def palette_with_transparency() -> bytes:
    img = Image.new("P", (20, 20), 0)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    img.paste(1, (5, 5, 15, 15))  # opaque red square on a transparent (index 0 = black) background
    return encode(img, "PNG", transparency=0)


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (30, 30), c) for c in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:])


def sixteen_bit_grey() -> bytes:
    arr = np.full((40, 40), 32896, dtype=np.uint16)  # 32896 / 257 = 128 exactly
    return encode(Image.fromarray(arr), "PNG")


_png, _jpg = encode(noise(), "PNG"), encode(noise(), "JPEG")
_corrupt = bytearray(_png)
for _i in range(60, len(_corrupt) - 20):
    _corrupt[_i] ^= 0x5A

CORPUS: dict[str, tuple[bytes, str]] = {
    "zero_bytes": (b"", "empty"),
    "html_as_image": (b"<!DOCTYPE html><html><body>Access denied</body></html>", "not_an_image"),
    "json_as_image": (b'{"error": "rate limited"}', "not_an_image"),
    "bmp": (encode(Image.new("RGB", (5, 5)), "BMP"), "unsupported_format"),
    "truncated_png": (_png[: len(_png) // 2], "truncated"),
    "truncated_jpeg": (_jpg[: len(_jpg) // 2], "truncated"),
    "corrupt_png": (bytes(_corrupt), "undecodable"),
    "bomb_huge": (png_header_only(50_000, 50_000), "too_many_pixels"),  # Pillow's own limit
    "bomb_over_setting": (png_header_only(8_000, 8_000), "too_many_pixels"),  # our 40 Mpx limit
    "cmyk_jpeg": (encode(Image.new("CMYK", (30, 30), (0, 255, 255, 0)), "JPEG"), "ok"),
    "png_16bit": (sixteen_bit_grey(), "ok"),
    "palette_transparency": (palette_with_transparency(), "ok"),
    "la": (encode(Image.new("LA", (30, 30), (0, 0)), "PNG"), "ok"),
    "animated_gif": (animated_gif(), "ok"),
    "webp_rgba": (encode(Image.new("RGBA", (60, 40), (0, 0, 0, 0)), "WEBP", lossless=True), "ok"),
    "one_pixel": (encode(Image.new("RGB", (1, 1), (0, 0, 255)), "PNG"), "ok"),
    "wide_10000x100": (encode(Image.new("RGB", (10_000, 100), (0, 0, 0)), "PNG"), "ok"),
}


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
    assert check_magic(_png) == "PNG" and check_magic(_jpg) == "JPEG"
    assert check_magic(CORPUS["animated_gif"][0]) == "GIF" and check_magic(CORPUS["webp_rgba"][0]) == "WEBP"
    with pytest.raises(BadImage) as exc:
        check_magic(b"   \n<html>")
    assert exc.value.reason == "not_an_image"
