"""Plugin loading in-process: isolation, conflicts, strict mode and hook validation."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from pydantic import BaseModel

from ganzoo import hookimpl
from ganzoo.errors import PluginError
from ganzoo.plugins import load


class Settings(BaseModel):
    width: int = 3


def make_plugin(*names: str, kind_hook: str = "register_architectures", fail_after: int = -1):
    """A throwaway plugin object registering ``names`` through one hook."""

    class Plugin:
        @hookimpl(specname=kind_hook)
        def hook(self, register):  # type: ignore[no-untyped-def]
            for index, name in enumerate(names):
                if index == fail_after:
                    raise ValueError(f"hook exploded after {index}")
                register(
                    name, lambda settings: settings.width, Settings, description=f"{name} for tests"
                )

    return Plugin()


def test_extra_plugin_registers_next_to_builtins() -> None:
    loaded = load(extra_plugins=[(make_plugin("extra-net"), "pkg-a", "1.0")], strict=True)
    entry = loaded.registry.get("architecture", "extra-net")
    assert (entry.package, entry.version) == ("pkg-a", "1.0")
    assert loaded.registry.build("architecture", "extra-net", {"width": 7}) == 7
    assert loaded.registry.get("architecture", "mlp-gan").package == "ganzoo"


def test_first_registration_wins_and_clash_names_both_packages() -> None:
    loaded = load(
        extra_plugins=[
            (make_plugin("twin"), "pkg-first", "1"),
            (make_plugin("twin"), "pkg-second", "2"),
        ],
        strict=False,
    )
    assert loaded.registry.get("architecture", "twin").package == "pkg-first"
    (message,) = loaded.warnings()
    assert "pkg-first" in message and "pkg-second" in message and "'twin'" in message
    assert "kept pkg-first's, because plugins load in order of distribution name" in message
    assert "to use pkg-second's, leave pkg-first out with GANZOO_LOAD_PLUGINS" in message


def test_strict_mode_names_every_problem_in_one_error() -> None:
    with pytest.raises(PluginError, match=r"2 plugin problems were found: .*'twin'.*'other'"):
        load(
            extra_plugins=[
                (make_plugin("twin", "other"), "pkg-first", "1"),
                (make_plugin("twin", "other"), "pkg-second", "2"),
            ],
            strict=True,
        )


def test_clash_is_an_error_in_strict_mode() -> None:
    with pytest.raises(PluginError, match="pkg-second"):
        load(
            extra_plugins=[
                (make_plugin("twin"), "pkg-first", "1"),
                (make_plugin("twin"), "pkg-second", "2"),
            ],
            strict=True,
        )


def test_plugin_raising_in_hook_is_isolated_and_rolled_back() -> None:
    loaded = load(
        extra_plugins=[
            (make_plugin("half-a", "half-b", fail_after=1), "pkg-bad", "0.1"),
            (make_plugin("fine-net"), "pkg-good", "1"),
        ],
        strict=False,
    )
    names = loaded.registry.names("architecture")
    assert "fine-net" in names
    assert "half-a" not in names  # nothing half-registered
    (failure,) = loaded.failures
    assert (failure.package, failure.hook) == ("pkg-bad", "register_architectures")
    assert "ValueError: hook exploded after 1" in failure.message()


def test_entry_point_that_fails_to_import_is_reported() -> None:
    broken = EntryPoint(name="nowhere", value="ganzoo_no_such_module_xyz", group="ganzoo")
    loaded = load(entry_points_=[broken], strict=False)
    (failure,) = loaded.failures
    assert "import failed: ModuleNotFoundError" in failure.error
    assert loaded.registry.names("loss") == []


def test_misspelt_hook_is_reported_with_the_right_name() -> None:
    class Typo:
        @hookimpl
        def register_architecture(self, register):  # type: ignore[no-untyped-def]
            pass

    loaded = load(extra_plugins=[(Typo(), "pkg-typo", "1")], strict=False)
    (failure,) = loaded.failures
    assert "'register_architecture'" in failure.error
    assert "did you mean 'register_architectures'" in failure.error


def test_hook_with_wrong_arguments_is_rejected_by_pluggy() -> None:
    class WrongArgs:
        @hookimpl
        def register_losses(self, register, extra):  # type: ignore[no-untyped-def]
            pass

    loaded = load(extra_plugins=[(WrongArgs(), "pkg-args", "1")], strict=False)
    (failure,) = loaded.failures
    assert failure.package == "pkg-args"
    assert "extra" in failure.error


@pytest.mark.parametrize("bad_name", ["CamelCase", "with_underscore", "-lead", "two--hyphens", ""])
def test_names_must_be_kebab_case(bad_name: str) -> None:
    loaded = load(extra_plugins=[(make_plugin(bad_name), "pkg-names", "1")], strict=False)
    (failure,) = loaded.failures
    assert "kebab-case" in failure.error


def test_builtins_come_from_the_builtin_entry_point() -> None:
    loaded = load(strict=True)
    (builtin,) = [p for p in loaded.plugins if p.package == "ganzoo"]
    assert builtin.module == "ganzoo.builtin"
    assert set(builtin.hooks) >= {
        "register_architectures",
        "register_losses",
        "register_datasets",
        "register_metrics",
    }
