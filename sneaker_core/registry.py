"""The searched sneaker models, loaded from the shipped (or a user's) models YAML file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_MODELS_FILE = Path(__file__).with_name("models.yaml")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class UnknownModelError(KeyError):
    """Raised for a model key that the models file does not define."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0])


@dataclass(frozen=True)
class ModelSpec:
    """One searched sneaker model."""

    key: str
    name: str
    brand: str
    query: str
    patterns: tuple[re.Pattern[str], ...]
    enabled: bool = True

    def matches(self, text: str) -> bool:
        """True when a (normalised, lowercase) title names this model."""
        return any(p.search(text) for p in self.patterns)


@lru_cache(maxsize=8)
def load_models(path: Path | None = None) -> tuple[ModelSpec, ...]:
    """Read and validate a models file; every problem names the entry and the fix."""
    path = Path(path or DEFAULT_MODELS_FILE)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    specs: list[ModelSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw.get("models") or []):
        key = str(entry.get("key", ""))
        if not KEY_RE.match(key):
            raise ValueError(f"{path}: model #{i} has key {key!r}; use lowercase letters, digits and dashes")
        if key in seen:
            raise ValueError(f"{path}: model key {key!r} appears twice; keys must be unique")
        missing = [f for f in ("name", "brand", "query", "patterns") if not entry.get(f)]
        if missing:
            raise ValueError(f"{path}: model {key!r} lacks {', '.join(missing)}; add them to the entry")
        seen.add(key)
        specs.append(
            ModelSpec(
                key=key,
                name=str(entry["name"]),
                brand=str(entry["brand"]),
                query=str(entry["query"]),
                patterns=tuple(re.compile(p, re.IGNORECASE) for p in entry["patterns"]),
                enabled=bool(entry.get("enabled", True)),
            )
        )
    if not specs:
        raise ValueError(f"{path}: no models defined; list at least one under `models:`")
    return tuple(specs)


def enabled_models(path: Path | None = None) -> tuple[ModelSpec, ...]:
    """The models searched and trained on by default."""
    return tuple(m for m in load_models(path) if m.enabled)


def get_model(key_or_name: str, path: Path | None = None) -> ModelSpec:
    """Look a model up by key or display name (case-insensitive)."""
    wanted = key_or_name.strip().lower()
    for m in load_models(path):
        if wanted in (m.key, m.name.lower()):
            return m
    known = ", ".join(m.key for m in load_models(path))
    raise UnknownModelError(f"unknown model {key_or_name!r}; known keys: {known} (edit the models file to add one)")


def resolve_models(keys: list[str] | None, path: Path | None = None) -> tuple[ModelSpec, ...]:
    """The enabled models, or the named ones; an empty explicit list is an error."""
    if keys is None:
        enabled = enabled_models(path)
        if not enabled:
            raise ValueError(f"no enabled models in {path or DEFAULT_MODELS_FILE}; set `enabled: true` on one "
                             "or name models with --models")
        return enabled
    if not keys:
        raise ValueError("empty model list; name at least one model key or omit --models for all enabled models")
    return tuple(get_model(k, path) for k in keys)


def brands(path: Path | None = None) -> tuple[str, ...]:
    """Sorted brands of the enabled models."""
    return tuple(sorted({m.brand for m in enabled_models(path)}))
