"""The registry: listing with patterns, aliases, building with validated settings."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from ganzoo.errors import ConfigError, UnknownComponentError
from ganzoo.kinds import KIND_TABLE, find_kind
from ganzoo.plugins.hookspecs import COMPONENT_HOOKS, GanzooHookSpecs
from ganzoo.registry import Entry, Registry


class Width(BaseModel):
    width: int = Field(4, ge=1)


def entry(name: str, kind: str = "loss", aliases: tuple[str, ...] = ()) -> Entry:
    return Entry(
        name=name,
        kind=kind,
        factory=lambda s, extra=0: s.width + extra,  # type: ignore[arg-type]
        settings=Width,
        description=f"{name} loss",
        aliases=aliases,
        package="pkg",
        version="1",
    )


@pytest.fixture
def registry() -> Registry:
    registry = Registry()
    for name, aliases in (("wgan-gp", ()), ("wgan", ()), ("hinge", ("svm",)), ("bce", ())):
        registry.add(entry(name, aliases=aliases))
    registry.add(entry("dcgan", kind="architecture"))
    return registry


def test_list_filters_by_kind_and_fnmatch(registry: Registry) -> None:
    assert [e.name for e in registry.list("loss", include="wgan*")] == ["wgan", "wgan-gp"]
    assert [e.name for e in registry.list("loss", exclude="wgan*")] == ["bce", "hinge"]
    assert [e.name for e in registry.list(include="sv?")] == ["hinge"]
    assert [e.kind for e in registry.list()] == ["architecture"] + ["loss"] * 4


def test_get_by_alias_and_unknown_name_suggests(registry: Registry) -> None:
    assert registry.get("loss", "svm").name == "hinge"
    with pytest.raises(UnknownComponentError) as raised:
        registry.get("loss", "wgan-pg")
    assert "did you mean 'wgan-gp'" in str(raised.value)
    assert "available: bce" in str(raised.value)


def test_build_validates_settings(registry: Registry) -> None:
    assert registry.build("loss", "bce", {"width": 9}, extra=1) == 10
    assert registry.build("loss", "bce") == 4
    with pytest.raises(ConfigError, match=r"width: input should be greater than or equal to 1"):
        registry.build("loss", "bce", {"width": 0})
    with pytest.raises(ConfigError, match=r"unknown setting 'widht' \(did you mean 'width'\?\)"):
        registry.build("loss", "bce", {"widht": 3})


def test_public_api_lists_builtins() -> None:
    import ganzoo

    names = {e.name for e in ganzoo.list_components("loss")}
    assert {"bce", "non-saturating", "wgan-gp"} <= names
    assert ganzoo.get("loss", "ns").name == "non-saturating"


def test_every_kind_has_its_hook_and_contract() -> None:
    hooks = {name for name in dir(GanzooHookSpecs) if name.startswith("register_")}
    assert hooks == {*COMPONENT_HOOKS.values(), "register_commands"}
    for kind, spec in KIND_TABLE.items():
        assert COMPONENT_HOOKS[kind] == spec.hook
        assert isinstance(spec.contract_class(), type), spec.contract
        assert find_kind(kind) == kind
    assert find_kind("losses") is None
