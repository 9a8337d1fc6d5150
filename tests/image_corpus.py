"""Generated images, good, odd and bad, each with the normaliser's expected outcome (shared by tests)."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


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


NOISE_PNG, NOISE_JPEG = encode(noise(), "PNG"), encode(noise(), "JPEG")
_corrupt = bytearray(NOISE_PNG)
for _i in range(60, len(_corrupt) - 20):
    _corrupt[_i] ^= 0x5A

CORPUS: dict[str, tuple[bytes, str]] = {
    "zero_bytes": (b"", "empty"),
    "html_as_image": (b"<!DOCTYPE html><html><body>Access denied</body></html>", "not_an_image"),
    "json_as_image": (b'{"error": "rate limited"}', "not_an_image"),
    "bmp": (encode(Image.new("RGB", (5, 5)), "BMP"), "unsupported_format"),
    "truncated_png": (NOISE_PNG[: len(NOISE_PNG) // 2], "truncated"),
    "truncated_jpeg": (NOISE_JPEG[: len(NOISE_JPEG) // 2], "truncated"),
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
