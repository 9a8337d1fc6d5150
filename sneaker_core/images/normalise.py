"""Turn downloaded image bytes into one square RGB JPEG, or a named reason why not.

Pure functions on bytes (no I/O), so they run in worker processes. Every mode Pillow opens (RGBA, LA,
P with transparency, CMYK, 16-bit grey, animated GIF, WebP) becomes RGB with transparency composited on
white; the aspect ratio is kept by padding with white; the resize filter is LANCZOS.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import asdict, dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# Bump when a change here changes the stored bytes: it is part of every store key.
NORMALISE_VERSION = 1
WHITE = (255, 255, 255)
REDUCING_GAP = 1.5

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "JPEG"),
    (b"\x89PNG\r\n\x1a\n", 0, "PNG"),
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"WEBP", 8, "WEBP"),
)


class BadImage(Exception):
    """An image that cannot be used; `reason` is the short name counted in the images manifest."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class ImageInfo:
    """Facts about the original image, recorded in the manifest."""

    orig_width: int
    orig_height: int
    orig_mode: str
    orig_format: str
    frames: int

    def to_dict(self) -> dict[str, int | str]:
        return asdict(self)


def sniff_format(data: bytes) -> str | None:
    """The allowed format the magic bytes announce (JPEG, PNG, GIF, WEBP), else None."""
    for magic, offset, name in _MAGIC:
        if data[offset : offset + len(magic)] == magic and (name != "WEBP" or data[:4] == b"RIFF"):
            return name
    return None


def check_magic(data: bytes) -> str:
    """The format of `data`, or BadImage: 'empty', 'not_an_image' (text: HTML, JSON, XML), 'unsupported_format'."""
    if not data:
        raise BadImage("empty")
    fmt = sniff_format(data)
    if fmt is not None:
        return fmt
    head = data[:512].lstrip()
    if head[:1] in (b"<", b"{", b"[") or _is_text(head):
        raise BadImage("not_an_image", f"text body starting {data[:24]!r}")
    raise BadImage("unsupported_format", f"unknown magic bytes {data[:8]!r}")


def _is_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_error(exc: BaseException) -> BadImage:
    """Classify a Pillow decoding error: a short read is 'truncated', anything else 'undecodable'."""
    msg = str(exc)
    truncated = isinstance(exc, EOFError) or "truncat" in msg.lower()
    return BadImage("truncated" if truncated else "undecodable", msg or type(exc).__name__)


def _open(data: bytes, max_pixels: int) -> tuple[Image.Image, ImageInfo]:
    fmt = check_magic(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError as exc:
        raise BadImage("too_many_pixels", str(exc)) from exc
    except (UnidentifiedImageError, OSError, EOFError, SyntaxError, ValueError) as exc:
        raise _decode_error(exc) from exc
    w, h = img.size
    if w < 1 or h < 1:
        raise BadImage("undecodable", f"size {w}x{h}")
    if w * h > max_pixels:
        raise BadImage("too_many_pixels", f"{w}x{h} > {max_pixels} pixels")
    info = ImageInfo(w, h, img.mode, fmt, int(getattr(img, "n_frames", 1)))
    return img, info


def _load(img: Image.Image, size: int) -> Image.Image:
    """Decode the first frame fully, classifying failures as truncated or undecodable."""
    if img.format == "JPEG":
        img.draft(img.mode, (size, size))  # DCT scaling: decode big JPEGs at >= the target size
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img.seek(0)
            img.load()
    except Image.DecompressionBombError as exc:
        raise BadImage("too_many_pixels", str(exc)) from exc
    except (OSError, EOFError, SyntaxError, ValueError) as exc:
        raise _decode_error(exc) from exc
    return img


def to_rgb_on_white(img: Image.Image) -> Image.Image:
    """Any Pillow mode to RGB; transparent pixels become white, 16-bit grey is scaled, not clipped."""
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        grey = np.asarray(img, dtype=np.float64) / 257.0
        return Image.fromarray(np.clip(np.rint(grey), 0, 255).astype(np.uint8), "L").convert("RGB")
    if mode == "F":
        return Image.fromarray(np.clip(np.rint(np.asarray(img)), 0, 255).astype(np.uint8), "L").convert("RGB")
    if mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in img.info:
        rgba = img if mode == "RGBA" else img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, WHITE)
        canvas.paste(rgba, (0, 0), rgba)  # alpha-blend onto white (same result as alpha_composite, cheaper)
        return canvas
    return img.convert("RGB")


def fit_square(img: Image.Image, size: int) -> Image.Image:
    """Scale the longer side to `size` with LANCZOS and pad the shorter one with white, centred."""
    w, h = img.size
    scale = size / max(w, h)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    if (new_w, new_h) != (w, h):
        # reducing_gap: a box reduce by an integer factor first, then LANCZOS over at least 1.5x the target
        # (Pillow's documented speed-up; a 750 px GOAT picture resizes ~3x faster, mean change 0.2/255)
        img = img.resize((new_w, new_h), Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
    if new_w == new_h == size:
        return img
    canvas = Image.new("RGB", (size, size), WHITE)
    canvas.paste(img, ((size - new_w) // 2, (size - new_h) // 2))
    return canvas


def normalise(data: bytes, size: int, quality: int, max_pixels: int) -> tuple[bytes, ImageInfo]:
    """Downloaded bytes -> (square RGB JPEG bytes, original facts); raises BadImage with a reason."""
    img, info = _open(data, max_pixels)
    img = _load(img, size)
    try:
        ImageOps.exif_transpose(img, in_place=True)
        rgb = fit_square(to_rgb_on_white(img), size)
        out = io.BytesIO()
        rgb.save(out, format="JPEG", quality=quality)
    except (OSError, ValueError, SyntaxError) as exc:
        raise BadImage("undecodable", str(exc)) from exc
    return out.getvalue(), info


def normalise_result(data: bytes, size: int, quality: int, max_pixels: int) -> tuple[bytes | None, dict]:
    """`normalise` for worker processes: never raises for a bad image, returns (jpeg, info) or (None, reason)."""
    try:
        jpeg, info = normalise(data, size, quality, max_pixels)
    except BadImage as exc:
        return None, {"reason": exc.reason, "detail": str(exc)}
    return jpeg, info.to_dict()
