"""The searched sneaker models, loaded from the shipped (or a user's) models YAML file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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


class _Entry(BaseModel):
    """One entry of the models file, as written (validated before any ModelSpec is built)."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    key: str = Field(pattern=KEY_RE.pattern)
    name: str = Field(min_length=1)
    brand: str = Field(min_length=1)
    query: str = Field(min_length=1)
    patterns: list[str] = Field(min_length=1)
    enabled: bool = True

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"{p!r} is not a valid regular expression ({exc}); fix or quote it") from None
        return patterns


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    models: list[_Entry] | None = None


_LACKS = ("missing", "too_short", "string_too_short")


def _entry_problem(path: Path, raw: list, exc: ValidationError) -> str:
    """The first problem of a models file, one line, naming the entry and the fix."""
    err = exc.errors()[0]
    if len(err["loc"]) < 2:
        return f"{path}: `models:` must be a list of entries; {err['msg']}"
    i = err["loc"][1]
    entry = raw[i]
    if not isinstance(entry, dict):
        return (f"{path}: model #{i} is {entry!r}, not an entry; write it as "
                "{key: ..., name: ..., brand: ..., query: ..., patterns: [...]}")
    field = str(err["loc"][2]) if len(err["loc"]) > 2 else ""
    if field == "key" and err["type"] != "missing":
        return f"{path}: model #{i} has key {entry.get('key')!r}; use lowercase letters, digits and dashes"
    label = repr(entry["key"]) if isinstance(entry.get("key"), str) else f"#{i}"
    unknown = [str(e["loc"][2]) for e in exc.errors() if e["type"] == "extra_forbidden" and e["loc"][1] == i]
    if unknown:  # first: a misspelt field also shows as a missing one
        return (f"{path}: model {label} has unknown field(s) {', '.join(unknown)}; valid fields: "
                f"{', '.join(_Entry.model_fields)}")
    lacking = [str(e["loc"][2]) for e in exc.errors()
               if e["type"] in _LACKS and len(e["loc"]) == 3 and e["loc"][1] == i]
    if lacking:
        return f"{path}: model {label} lacks {', '.join(lacking)}; add them to the entry"
    msg = err["msg"].removeprefix("Value error, ")
    hint = " (write it as a list: patterns: ['...'])" if err["type"] == "list_type" else ""
    return f"{path}: model {label}, `{field}`: {msg}{hint}"


def _read_yaml(path: Path) -> object:
    if not path.is_file():
        raise ValueError(f"models file {path} does not exist or is not a file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        fix = ("plain YAML only, no tags such as !!python/..." if isinstance(exc, yaml.constructor.ConstructorError)
               else "fix the YAML syntax there")
        raise ValueError(f"{path} is not a readable models file{where}: {problem}; {fix}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text; save the models file as UTF-8") from None
    return {} if raw is None else raw


@lru_cache(maxsize=8)
def load_models(path: Path | None = None) -> tuple[ModelSpec, ...]:
    """Read and validate a models file; every problem names the entry and the fix."""
    path = Path(path or DEFAULT_MODELS_FILE)
    raw = _read_yaml(path)
    try:
        entries = _File.model_validate(raw).models or []
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        if not loc:
            raise ValueError(f"{path}: the models file must be a mapping with a `models:` list, not a "
                             f"{type(raw).__name__}; start it with `models:`") from None
        if loc[0] != "models":
            raise ValueError(f"{path}: unknown top-level key `{loc[0]}`; the file holds only `models:`") from None
        raise ValueError(_entry_problem(path, raw.get("models"), exc)) from None
    specs: list[ModelSpec] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.key in seen:
            raise ValueError(f"{path}: model key {entry.key!r} appears twice; keys must be unique")
        seen.add(entry.key)
        specs.append(ModelSpec(key=entry.key, name=entry.name, brand=entry.brand, query=entry.query,
                               patterns=tuple(re.compile(p, re.IGNORECASE) for p in entry.patterns),
                               enabled=entry.enabled))
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
