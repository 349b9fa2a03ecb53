"""digits: the default dataset, bundled with scikit-learn."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import torch

from ganzoo.builtin.datasets.digits import build_digits
from ganzoo.builtin.datasets.settings import DigitsSettings
from ganzoo.data.source import DataContext

CPU = torch.device("cpu")


def test_digits_are_1797_labelled_8x8_images_in_minus_one_to_one(tmp_path: Path) -> None:
    source = build_digits(DigitsSettings(), DataContext(cache_dir=tmp_path))
    assert source.size == 1797
    assert source.spec.shape == (1, 8, 8) and source.spec.num_classes == 10
    assert sorted(torch.unique(source.labels).tolist()) == list(range(10))
    batch = next(source.batches(64, seed=0, device=CPU))
    assert batch.x.shape == (64, 1, 8, 8)
    from sklearn.datasets import load_digits

    # the images are scikit-learn's own pixels (0..16), rescaled, not resampled
    original = torch.as_tensor(load_digits().images[:5], dtype=torch.float32)
    rescaled = (source.images[:5, 0].float() / 255 * 16).round()
    torch.testing.assert_close(rescaled, original)
    everything = source.take(torch.arange(source.size), CPU).x
    assert float(everything.min()) == -1.0 and float(everything.max()) == 1.0


def test_digits_size_is_configurable_and_keeps_the_picture(tmp_path: Path) -> None:
    small = build_digits(DigitsSettings(image_size=8), DataContext(cache_dir=tmp_path))
    large = build_digits(DigitsSettings(image_size=32), DataContext(cache_dir=tmp_path))
    assert large.spec.shape == (1, 32, 32)
    shrunk = torch.nn.functional.interpolate(
        large.images[:20].float(), size=8, mode="area"
    )  # the resized digits still look like the originals
    assert float((shrunk - small.images[:20].float()).abs().mean()) < 20


CACHED_BUILD = """
import hashlib, sys
from pathlib import Path
digest = lambda t: hashlib.sha256(t.numpy().tobytes()).hexdigest()
from ganzoo.builtin.datasets.digits import build_digits
from ganzoo.builtin.datasets.settings import DigitsSettings
from ganzoo.data.source import DataContext
source = build_digits(DigitsSettings(image_size=16), DataContext(cache_dir=Path(sys.argv[1])))
print("sklearn" in sys.modules, digest(source.images), digest(source.labels))
"""


def test_a_second_process_reads_digits_from_the_cache_without_scikit_learn(
    tmp_path: Path,
) -> None:
    """Importing scikit-learn costs more than a short run trains, so only the first build
    pays it; the cached build gives the same pixels and labels."""
    first = build_digits(DigitsSettings(image_size=16), DataContext(cache_dir=tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", CACHED_BUILD, str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    used_sklearn, images_digest, labels_digest = result.stdout.split()
    assert used_sklearn == "False"
    assert images_digest == hashlib.sha256(first.images.numpy().tobytes()).hexdigest()
    assert labels_digest == hashlib.sha256(first.labels.numpy().tobytes()).hexdigest()
    # an unreadable cache file is rebuilt from scikit-learn, not trusted
    (cache_file,) = (tmp_path / "tensors").glob("digits-*.safetensors")
    cache_file.write_bytes(b"not a safetensors file")
    rebuilt = build_digits(DigitsSettings(image_size=16), DataContext(cache_dir=tmp_path))
    assert torch.equal(rebuilt.images, first.images)
