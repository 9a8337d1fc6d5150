"""A tiny self-contained HTML builder: escaped text everywhere, images as data URIs, inline CSS, no JS."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;margin:0;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:18px 24px 60px}
header{background:#1d2433;color:#fff;padding:18px 24px}
header h1{margin:0 0 6px;font-size:22px}
header dl{display:flex;flex-wrap:wrap;gap:4px 22px;margin:0}
header dt{opacity:.7}header dd{margin:0 0 0 4px;font-weight:600}
header .kv{display:flex}
nav{margin:10px 0 0;font-size:13px}nav a{color:#9cc3ff;margin-right:14px}
section{background:#fff;border:1px solid #e1e4ea;border-radius:6px;margin:18px 0;padding:4px 18px 14px}
h2{font-size:18px;margin:14px 0 8px}h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}
th,td{border-bottom:1px solid #e1e4ea;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#8a5a00;background:#fff6e0;border-left:3px solid #e0a000;padding:4px 10px;margin:6px 0}
.muted{color:#6b7280;font-size:12px}
figure{margin:8px 0;display:inline-block;vertical-align:top;max-width:100%}
figure img{max-width:100%;height:auto;border:1px solid #e1e4ea}
figcaption{font-size:12px;color:#6b7280}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}
"""


class Raw(str):
    """Markup this module built itself: inserted as is, never escaped again."""


def esc(value: object) -> Raw:
    """Escape any value (text from data: titles, class names, metric names) for HTML text or attributes."""
    return value if isinstance(value, Raw) else Raw(html.escape(str(value), quote=True))


def join(parts: Iterable[str]) -> Raw:
    return Raw("".join(esc(p) for p in parts))


def tag(name: str, body: object = "", **attrs: object) -> Raw:
    """`<name attrs>body</name>`; attribute names use `_` for `-` and a trailing `_` for keywords (`class_`)."""
    rendered = "".join(
        f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items() if v is not None
    )
    return Raw(f"<{name}{rendered}>{esc(body)}</{name}>")


def note(text: str) -> Raw:
    return tag("p", text, class_="note")


def png_data_uri(png: bytes) -> str:
    """A `data:image/png;base64,...` URI; refuses bytes that are not a PNG."""
    if not png.startswith(PNG_MAGIC):
        raise ValueError("not a PNG image (bad signature)")
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figure(png: bytes, alt: str, caption: str | None = None) -> Raw:
    """An embedded PNG with alt text and an optional caption."""
    img = Raw(f'<img src="{png_data_uri(png)}" alt="{esc(alt)}">')
    return tag("figure", join([img, tag("figcaption", caption) if caption else ""]))


@dataclass(frozen=True)
class Cell:
    """A table cell: `text` is escaped; `num` right-aligns it."""

    text: object
    num: bool = False


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, id: str | None = None,
          row_keys: Sequence[str] | None = None) -> Raw:
    """A table; plain values become text cells, `Cell`s carry alignment; `row_keys` set `data-key` per row."""
    head = tag("thead", tag("tr", join(tag("th", h) for h in headers)))
    body_rows = []
    for i, row in enumerate(rows):
        cells = [c if isinstance(c, Cell) else Cell(c) for c in row]
        tds = join(tag("td", c.text, class_="num" if c.num else None) for c in cells)
        body_rows.append(tag("tr", tds, data_key=row_keys[i] if row_keys else None))
    return tag("table", join([head, tag("tbody", join(body_rows))]), id=id)


def details(summary: str, body: str) -> Raw:
    return tag("details", join([tag("summary", summary), body]))


@dataclass
class Section:
    """One report section; it is available when it shows any content, and `reasons` list what is missing."""

    id: str
    title: str
    body: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    content: int = 0
    images: int = 0

    def add(self, *parts: str) -> None:
        self.body.extend(esc(p) for p in parts)
        self.content += len(parts)

    def add_figure(self, png: bytes, alt: str, caption: str | None = None) -> None:
        self.add(figure(png, alt, caption))
        self.images += 1

    def missing(self, reason: str) -> None:
        """Say on the page that (part of) this section is not available, and why."""
        self.reasons.append(reason)
        self.body.append(note(f"Not available: {reason}"))

    @property
    def available(self) -> bool:
        return self.content > 0

    def render(self) -> Raw:
        return tag("section", join([tag("h2", self.title), *self.body]), id=self.id)

    def summary(self) -> dict:
        return {"id": self.id, "title": self.title, "available": self.available, "missing": list(self.reasons),
                "images": self.images}


def page(title: str, facts: Mapping[str, object], sections: Sequence[Section]) -> str:
    """The whole document: header with key facts and a section index, then the sections."""
    kv = join(tag("div", join([tag("dt", k), tag("dd", v)]), class_="kv") for k, v in facts.items())
    nav = tag("nav", join(tag("a", s.title, href=f"#{s.id}") for s in sections))
    header = tag("header", join([tag("h1", title), tag("dl", kv), nav]))
    head = join([Raw('<meta charset="utf-8">'),
                 Raw('<meta name="viewport" content="width=device-width,initial-scale=1">'),
                 tag("title", title), tag("style", Raw(CSS))])
    body = join([header, tag("main", join(s.render() for s in sections))])
    return "<!doctype html>\n" + tag("html", join([tag("head", head), tag("body", body)]), lang="en") + "\n"
