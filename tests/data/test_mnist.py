"""mnist and fashion-mnist: torchvision's real IDX parsing, caching, and clear errors."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
import torch
from idx_files import SHARED_DATA, make_read_only, snapshot, write_idx, write_mnist_like

from ganzoo.builtin.datasets.mnist import build_fashion_mnist, build_mnist, load_idx_dataset
from ganzoo.builtin.datasets.settings import MnistSettings
from ganzoo.data.context import default_context
from ganzoo.data.source import DataContext
from ganzoo.errors import DataError

CPU = torch.device("cpu")


def context(root: Path | None, cache: Path, download: bool = False) -> DataContext:
    return DataContext(data_root=root, cache_dir=cache, download=download)


def as_unit(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images).float().unsqueeze(1) * (2 / 255) - 1


@pytest.mark.parametrize(
    ("build", "folder"), [(build_mnist, "MNIST"), (build_fashion_mnist, "FashionMNIST")]
)
@pytest.mark.parametrize("split", ["train", "test"])
def test_parses_the_written_idx_files(fake_root, cache_dir, build, folder, split) -> None:
    root, written = fake_root
    images, labels = written[folder][split]
    source = build(MnistSettings(split=split), context(root, cache_dir))
    assert source.size == len(images)
    assert source.spec.shape == (1, 28, 28) and source.spec.num_classes == 10
    assert torch.equal(source.labels, torch.from_numpy(labels).long())  # in file order
    assert torch.allclose(source.take(torch.arange(len(images)), CPU).x, as_unit(images), atol=1e-6)


def test_nothing_is_written_under_the_data_root(fake_root, cache_dir) -> None:
    root, _ = fake_root
    before = snapshot(root)
    build_mnist(MnistSettings(), context(root, cache_dir, download=True))
    build_mnist(MnistSettings(), context(root, cache_dir, download=True))  # from the cache
    assert snapshot(root) == before
    assert list((cache_dir / "tensors").glob("mnist-*.safetensors"))


def test_the_second_load_comes_from_the_cache(fake_root, cache_dir, monkeypatch) -> None:
    root, _ = fake_root
    first = build_mnist(MnistSettings(), context(root, cache_dir))
    monkeypatch.setattr("torchvision.datasets.MNIST", None)  # parsing again would fail
    second = build_mnist(MnistSettings(), context(root, cache_dir))
    assert torch.equal(first.images, second.images)


def test_changed_files_are_decoded_again(tmp_path, cache_dir) -> None:
    root = tmp_path / "data"
    write_mnist_like(root, seed=1)
    first = build_mnist(MnistSettings(), context(root, cache_dir))
    write_mnist_like(root, seed=7)
    second = build_mnist(MnistSettings(), context(root, cache_dir))
    assert not torch.equal(first.images, second.images)


def test_decompressed_files_are_read_too(tmp_path, cache_dir) -> None:
    root = tmp_path / "data"
    written = write_mnist_like(root, compress=False)
    make_read_only(root)
    source = build_mnist(MnistSettings(split="test"), context(root, cache_dir))
    assert torch.equal(source.labels, torch.from_numpy(written["test"][1]).long())


def test_image_size_resizes_once_when_decoding(fake_root, cache_dir) -> None:
    root, _ = fake_root
    source = build_mnist(MnistSettings(image_size=32), context(root, cache_dir))
    batch = next(source.batches(10, seed=0, device=CPU))
    assert source.spec.shape == (1, 32, 32) and batch.x.shape == (10, 1, 32, 32)
    assert float(batch.x.min()) >= -1 and float(batch.x.max()) <= 1


def test_missing_files_say_which_where_and_how(tmp_path, cache_dir) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    with pytest.raises(DataError) as error:
        build_mnist(MnistSettings(), context(root, cache_dir))
    message = str(error.value)
    assert "\n" not in message
    assert "train-images-idx3-ubyte.gz" in message and "t10k-labels-idx1-ubyte.gz" in message
    assert str(root / "MNIST" / "raw") in message
    assert str(cache_dir / "data" / "MNIST" / "raw") in message
    assert "--data-root" in message and "MNIST/raw/" in message


def test_a_failed_download_is_a_clear_error(tmp_path, cache_dir, monkeypatch) -> None:
    def no_network(url: str, *args: object, **kwargs: object) -> None:
        raise URLError("no route to host")

    monkeypatch.setattr("torchvision.datasets.mnist.download_and_extract_archive", no_network)
    with pytest.raises(DataError, match=r"downloading into .* failed .*no route to host"):
        build_mnist(MnistSettings(), context(None, cache_dir, download=True))


def test_a_read_only_root_never_receives_downloads(fake_root, cache_dir, monkeypatch) -> None:
    root, _ = fake_root
    targets: list[str] = []

    def record(url: str, download_root: str, *args: object, **kwargs: object) -> None:
        targets.append(download_root)
        raise URLError("offline")

    monkeypatch.setattr("torchvision.datasets.mnist.download_and_extract_archive", record)
    partial = root.parent / "partial"
    shutil.copytree(root / "MNIST", partial / "MNIST")
    for path in (partial / "MNIST" / "raw").glob("t10k-*"):
        path.unlink()
    make_read_only(partial)
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz"):
        build_mnist(MnistSettings(), context(partial, cache_dir, download=True))
    assert targets and all(str(cache_dir / "data") in t for t in targets)


def test_a_corrupt_gz_names_the_file(tmp_path, cache_dir) -> None:
    root = tmp_path / "data"
    write_mnist_like(root)
    bad = root / "MNIST" / "raw" / "train-images-idx3-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:200])  # truncated download
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz' is not a valid gzip"):
        build_mnist(MnistSettings(), context(root, cache_dir))
    bad.write_bytes(b"this is not gzip at all")
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz' is not a valid gzip"):
        build_mnist(MnistSettings(), context(root, cache_dir))


def test_a_file_of_the_wrong_kind_is_named(tmp_path, cache_dir) -> None:
    root = tmp_path / "data"
    write_mnist_like(root)
    write_idx(root / "MNIST" / "raw" / "train-images-idx3-ubyte", np.zeros(5, dtype=np.uint8))
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz' is not an IDX image"):
        build_mnist(MnistSettings(), context(root, cache_dir))


def test_a_truncated_idx_file_is_named(tmp_path, cache_dir) -> None:
    root = tmp_path / "data"
    write_mnist_like(root)
    labels = root / "MNIST" / "raw" / "train-labels-idx1-ubyte.gz"
    data = gzip.decompress(labels.read_bytes())
    labels.write_bytes(gzip.compress(data[:-3]))
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz' has 47 bytes .* 50"):
        build_mnist(MnistSettings(), context(root, cache_dir))


def test_mismatched_counts_are_an_error(tmp_path, cache_dir) -> None:
    root = tmp_path / "data"
    write_mnist_like(root)
    write_idx(root / "MNIST" / "raw" / "train-labels-idx1-ubyte", np.zeros(7, dtype=np.uint8))
    with pytest.raises(DataError, match=r"50 images but .* 7 labels"):
        build_mnist(MnistSettings(), context(root, cache_dir))


@pytest.mark.skipif(not (SHARED_DATA / "MNIST" / "raw").is_dir(), reason="no shared MNIST copy")
def test_real_mnist_from_the_shared_read_only_root(cache_dir) -> None:
    before = snapshot(SHARED_DATA)
    source = load_idx_dataset("mnist", "train", 28, default_context(SHARED_DATA, download=False))
    assert source.size == 60_000
    assert int(source.labels[0]) == 5
    assert torch.bincount(source.labels).tolist()[:2] == [5923, 6742]
    assert snapshot(SHARED_DATA) == before
