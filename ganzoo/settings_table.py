"""A component's settings described for people: type, default, bounds and description.

``ganzoo show``, ``ganzoo list --json`` and the generated component catalogue all read
settings through :func:`describe_settings`, so they always agree.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

BOUND_SYMBOLS = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤"}


@dataclass(frozen=True)
class SettingInfo:
    """One setting of a component's settings model."""

    name: str
    type: str
    """The type in words, e.g. ``int``, ``float or none``, ```"adam"` | `"rmsprop"```."""
    required: bool
    default: Any
    """The default (``None`` where the setting is required or defaults to None)."""
    bounds: str
    """Allowed range or size, e.g. ``> 0, ≤ 1``; empty when unbounded."""
    description: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": jsonable(self.default),
            "bounds": self.bounds,
            "description": self.description,
        }


def describe_settings(model: type[BaseModel] | None) -> list[SettingInfo]:
    """Each field of ``model`` as a :class:`SettingInfo`, in declaration order."""
    if model is None:
        return []
    return [
        SettingInfo(
            name=key,
            type=type_name(info.annotation),
            required=info.is_required(),
            default=None if info.is_required() else info.get_default(call_default_factory=True),
            bounds=bounds(info.metadata),
            description=info.description or "",
        )
        for key, info in model.model_fields.items()
    ]


def type_name(annotation: Any) -> str:
    """A type annotation in words: ``int``, ``float or none``, ``"adam" | "rmsprop"``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(
            f'"{v}"' if isinstance(v, str) else str(v) for v in typing.get_args(annotation)
        )
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_name(a) for a in typing.get_args(annotation))
    if annotation is type(None):
        return "none"
    if isinstance(annotation, type) and origin is None:
        return annotation.__name__
    return str(annotation).replace("typing.", "").replace("pathlib.", "")


def bounds(metadata: list[Any]) -> str:
    """The constraints pydantic keeps in a field's metadata, e.g. ``≥ 1, ≤ 1024``."""
    parts = []
    for item in metadata:
        for attr, symbol in BOUND_SYMBOLS.items():
            if getattr(item, attr, None) is not None:
                parts.append(f"{symbol} {getattr(item, attr):g}")
        if getattr(item, "min_length", None) is not None:
            parts.append("non-empty" if item.min_length == 1 else f"≥ {item.min_length} items")
        if getattr(item, "max_length", None) is not None:
            parts.append(f"≤ {item.max_length} items")
    return ", ".join(parts)


def jsonable(value: Any) -> Any:
    """``value`` with anything JSON cannot hold (a path, say) as its string."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
