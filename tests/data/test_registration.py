"""The built-in datasets are registered through the plugin hooks, without importing torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ganzoo.data.source import DataContext, DataSource
from ganzoo.errors import ConfigError, DataError, UnknownComponentError
from ganzoo.plugins.hookspecs import hookimpl
from ganzoo.plugins.loading import load
from ganzoo.registry import Registry

NAMES = [
    "cifar10",
    "digits",
    "fashion-mnist",
    "grid25",
    "image-folder",
    "mnist",
    "ring8",
    "stacked-mnist",
]


class _Builtin:
    @hookimpl
    def register_datasets(self, register) -> None:
        from ganzoo.builtin.datasets import register_builtin

        register_builtin(register)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load(
        entry_points_=[], extra_plugins=[(_Builtin(), "ganzoo", "test")], strict=True
    ).registry


def test_all_datasets_are_registered(registry: Registry) -> None:
    assert registry.names("dataset") == NAMES
    assert registry.get("dataset", "fashion").name == "fashion-mnist"
    assert registry.get("dataset", "image-folder").settings_schema()["path"] is None


def test_registering_does_not_import_torch() -> None:
    code = (
        "import sys; from ganzoo.plugins.loading import load; import ganzoo.builtin.datasets; "
        "load(strict=True); assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_factories_build_sources_from_settings(registry: Registry, offline: DataContext) -> None:
    source = registry.build("dataset", "ring8", {"std": 0.02}, offline)
    assert isinstance(source, DataSource) and source.std == 0.02
    assert registry.build("dataset", "digits", {"image_size": 16}, offline).spec.shape == (
        1,
        16,
        16,
    )


def test_bad_names_and_settings_are_clear_errors(registry: Registry, offline) -> None:
    with pytest.raises(UnknownComponentError, match="did you mean 'mnist'"):
        registry.get("dataset", "mnsit")
    with pytest.raises(ConfigError, match="split"):
        registry.build("dataset", "mnist", {"split": "validation"}, offline)
    with pytest.raises(ConfigError, match="std"):
        registry.build("dataset", "grid25", {"std": -1}, offline)


def test_cifar10_missing_files_is_a_clear_error(registry: Registry, offline, cache_dir) -> None:
    with pytest.raises(DataError) as error:
        registry.build("dataset", "cifar10", {}, offline)
    message = str(error.value)
    assert "cifar-10-python.tar.gz" in message and str(cache_dir / "data") in message
    assert "downloads are turned off" in message and "\n" not in message
