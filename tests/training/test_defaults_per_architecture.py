"""Every built-in architecture runs at its defaults: on the default dataset exactly as a
newcomer types it, and on ring8, MNIST and Fashion-MNIST wherever it takes such data."""

from __future__ import annotations

from pathlib import Path

import pytest

import ganzoo
from ganzoo.config import read_toml
from ganzoo.data.spec import DataSpec
from ganzoo.errors import DataError
from ganzoo.models import BuildOptions
from ganzoo.plugins import plugin_set
from ganzoo.storage.weights import load_generator
from tests.conftest import SHARED_DATA, run_cli


def builtin_architectures() -> list[str]:
    registry = plugin_set().registry
    return sorted(e.name for e in registry.list("architecture") if e.package == "ganzoo")


ARCHITECTURES = builtin_architectures()


def takes_points(architecture: str) -> bool:
    """Whether the architecture builds for 2-D points (image-only ones refuse them)."""
    try:
        plugin_set().registry.build(
            "architecture", architecture, None, DataSpec((2,), num_classes=8), BuildOptions()
        )
    except DataError:
        return False
    return True


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_runs_on_the_default_dataset_with_no_other_flags(architecture: str, tmp_path: Path) -> None:
    result = run_cli("run", architecture, "--steps", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (run_dir,) = (tmp_path / "runs").iterdir()
    settings = read_toml(run_dir / "config.toml")["dataset_settings"]
    sizes = plugin_set().registry.get("architecture", architecture).image_sizes
    if sizes is None:
        assert settings["image_size"] == 8  # digits at their own size
    else:
        assert settings["image_size"] == sizes.nearest_at_or_above(8)
        assert f"resized to {settings['image_size']}×{settings['image_size']}" in result.stderr
    generator = load_generator(run_dir)
    size = settings["image_size"]
    assert tuple(generator.sample(3).shape) == (3, 1, size, size)


@pytest.mark.parametrize("dataset", ["ring8", "mnist", "fashion-mnist"])
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_runs_on_other_datasets_where_it_applies(
    architecture: str, dataset: str, tmp_path: Path, one_thread: None
) -> None:
    if dataset != "ring8" and not (SHARED_DATA / "MNIST").exists():
        pytest.skip("the MNIST files are not beside the repository")
    config = ganzoo.RunConfig(
        architecture=architecture,
        dataset=dataset,
        data_root=None if dataset == "ring8" else SHARED_DATA,  # ring8 reads no files
        steps=2,
        batch_size=8,  # the default run above is the one at full defaults
        grid_size=4,
        device="cpu",
        out=tmp_path / "run",
    )
    if dataset == "ring8" and not takes_points(architecture):
        with pytest.raises(DataError, match="needs image data"):
            ganzoo.train(config, show_progress=False, show_summary=False)
        return
    run_dir = ganzoo.train(config, show_progress=False, show_summary=False)
    generator = load_generator(run_dir)
    shape = tuple(generator.sample(2).shape)
    if dataset == "ring8":
        assert shape == (2, 2)
    else:
        sizes = plugin_set().registry.get("architecture", architecture).image_sizes
        side = sizes.nearest_at_or_above(28) if sizes else 28
        assert shape == (2, 1, side, side)
