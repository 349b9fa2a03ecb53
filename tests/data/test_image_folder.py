"""image-folder: recursive search, centre crop, corrupt files skipped, in memory or streamed."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo.builtin.datasets.folder import build_image_folder
from ganzoo.builtin.datasets.settings import ImageFolderSettings
from ganzoo.data.memory import InMemorySource
from ganzoo.data.source import DataContext
from ganzoo.data.streaming import StreamingImageSource
from ganzoo.errors import DataError

CPU = torch.device("cpu")


def solid(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (20, 20)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)


def build(path: Path, cache_dir: Path, **settings: object):
    context = DataContext(data_root=None, cache_dir=cache_dir, download=False)
    return build_image_folder(ImageFolderSettings(path=path, **settings), context)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """12 images in three formats and two class folders, one corrupt png and a text file."""
    root = tmp_path / "images"
    for i in range(6):
        solid(root / "cats" / f"{i}.png", (40 * i, 0, 0))
        solid(
            root / "dogs" / "deep" / f"{i}.jpg" if i % 2 else root / "dogs" / f"{i}.webp",
            (0, 40 * i, 255),
        )
    (root / "dogs" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (root / "cats" / "notes.txt").write_text("not an image")
    return root


def test_finds_images_recursively_and_skips_and_counts_the_broken(folder, cache_dir, caplog):
    with caplog.at_level(logging.INFO, logger="ganzoo"):
        source = build(folder, cache_dir, image_size=16)
    assert isinstance(source, InMemorySource)
    assert source.size == 12 and source.spec.shape == (3, 16, 16)
    assert "skipped 1 unreadable" in caplog.text and "broken.png" in caplog.text
    assert "ignored 1 non-image" in caplog.text
    assert "skipped 1 unreadable" in source.describe()


def test_class_subfolders_become_labels(folder, cache_dir) -> None:
    source = build(folder, cache_dir, image_size=8)
    assert source.spec.num_classes == 2
    assert torch.bincount(source.labels).tolist() == [6, 6]
    cats = source.take(torch.arange(12), CPU).x[source.labels == 0]
    assert float(cats[:, 2].max()) == -1.0  # cats are red: no blue channel
    assert build(folder, cache_dir, image_size=8, labels="none").labels is None


def test_labels_folders_needs_subfolders(tmp_path, cache_dir) -> None:
    solid(tmp_path / "flat" / "a.png", (1, 2, 3))
    assert build(tmp_path / "flat", cache_dir).labels is None  # auto: no classes
    with pytest.raises(DataError, match=r"a\.png' is directly in"):
        build(tmp_path / "flat", cache_dir, labels="folders")


def test_centre_crop_then_resize(tmp_path, cache_dir) -> None:
    wide = np.zeros((10, 30, 3), dtype=np.uint8)
    wide[:, :10] = (255, 0, 0)  # left third red
    wide[:, 10:20] = (0, 255, 0)  # centre green
    wide[:, 20:] = (0, 0, 255)  # right third blue
    (tmp_path / "wide").mkdir()
    Image.fromarray(wide).save(tmp_path / "wide" / "wide.png")
    source = build(tmp_path / "wide", cache_dir, image_size=8)
    assert source.images[0, :, 2:6, 2:6].float().mean((1, 2)).tolist() == [0.0, 255.0, 0.0]


def test_grayscale(folder, cache_dir) -> None:
    source = build(folder, cache_dir, image_size=8, channels=1)
    assert source.spec.shape == (1, 8, 8)
    assert next(source.batches(4, seed=0, device=CPU)).x.shape == (4, 1, 8, 8)


def test_decoded_once_then_cached(folder, cache_dir, monkeypatch) -> None:
    first = build(folder, cache_dir, image_size=8)
    monkeypatch.setattr("ganzoo.builtin.datasets.folder._decode_all", None)  # no decoding now
    second = build(folder, cache_dir, image_size=8)
    assert torch.equal(first.images, second.images) and second.size == 12
    solid(folder / "cats" / "new.png", (1, 1, 1))
    monkeypatch.undo()
    assert build(folder, cache_dir, image_size=8).size == 13  # a changed folder is re-read


def test_streaming_gives_the_same_batches_as_in_memory(folder, cache_dir) -> None:
    memory = build(folder, cache_dir, image_size=8)
    stream = build(folder, cache_dir, image_size=8, in_memory_limit_mb=0, workers=0)
    assert isinstance(stream, StreamingImageSource) and stream.size == 12
    assert stream.spec == memory.spec
    for k, (a, b) in enumerate(
        zip(
            memory.batches(5, seed=1, device=CPU),
            stream.batches(5, seed=1, device=CPU),
            strict=True,
        )
    ):
        assert torch.equal(a.x, b.x) and torch.equal(a.labels, b.labels)
        if k == 4:
            break
    resumed = next(stream.batches(5, seed=1, device=CPU, start=3))
    assert torch.equal(resumed.x, next(memory.batches(5, seed=1, device=CPU, start=3)).x)
    assert torch.equal(
        stream.sample(7, seed=0, device=CPU).x, memory.sample(7, seed=0, device=CPU).x
    )


def test_streaming_with_a_worker_process(folder, cache_dir) -> None:
    stream = build(folder, cache_dir, image_size=8, in_memory_limit_mb=0, workers=1)
    batches = stream.batches(4, seed=0, device=CPU)
    assert [next(batches).x.shape for _ in range(4)] == [(4, 3, 8, 8)] * 4


def test_an_empty_folder_is_a_clear_error(tmp_path, cache_dir) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"no png, jpg or webp images under .*empty"):
        build(tmp_path / "empty", cache_dir)


def test_only_unreadable_images_is_a_clear_error(tmp_path, cache_dir) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.jpg").write_bytes(b"nope")
    with pytest.raises(DataError, match="none of the 1 image files"):
        build(tmp_path / "bad", cache_dir)


def test_a_missing_folder_is_a_clear_error(tmp_path, cache_dir) -> None:
    with pytest.raises(DataError, match="does not exist"):
        build(tmp_path / "nowhere", cache_dir)


def test_relative_paths_may_live_under_the_data_root(folder, cache_dir) -> None:
    context = DataContext(data_root=folder.parent, cache_dir=cache_dir, download=False)
    source = build_image_folder(ImageFolderSettings(path=Path("images"), image_size=8), context)
    assert source.size == 12


def test_without_a_path_the_data_root_is_the_folder(folder, cache_dir) -> None:
    from ganzoo.data.context import default_context
    from ganzoo.plugins import plugin_set

    context = default_context(folder)  # what `--data-root DIR` gives the dataset
    source = plugin_set().registry.build("dataset", "image-folder", {"image_size": 8}, context)
    assert source.size == 12
    assert source.spec.num_classes == 2


def test_without_a_path_or_a_data_root_the_error_says_how_to_give_one(cache_dir) -> None:
    context = DataContext(data_root=cache_dir / "data", cache_dir=cache_dir, download=False)
    with pytest.raises(DataError, match=r"give --data-root DIR \(or --set dataset.path=DIR\)"):
        build_image_folder(ImageFolderSettings(), context)
