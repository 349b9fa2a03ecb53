"""Inception features: a clear offline error, and the whole metric from a cached weights file.

No test downloads anything: the hub directory is pointed at a temporary folder and
downloads are either turned off or made to fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError

import pytest
import torch
from eval_helpers import TensorSource, from_tensor, make_context

from ganzoo.errors import DataError
from ganzoo.evaluation import inception, plan_metrics
from ganzoo.evaluation.inception import FEATURE_DIM, InceptionFeatures


@pytest.fixture
def empty_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    hub = tmp_path / "hub"
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(hub))

    def no_network(*args: object, **kwargs: object) -> None:
        raise URLError("network is unreachable")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    yield hub
    torch.hub.set_dir(previous)


def test_weights_are_looked_for_in_the_hub_checkpoints(empty_hub: Path) -> None:
    path = inception.weights_file()
    assert path.parent == empty_hub / "checkpoints"
    assert path.name.startswith("inception_v3") and path.suffix == ".pth"
    assert not inception.weights_cached()


@pytest.mark.parametrize("download", [False, True])
def test_missing_weights_offline_name_the_file_and_folder(empty_hub: Path, download: bool) -> None:
    with pytest.raises(DataError) as caught:
        inception.load_state_dict(download=download)
    message = str(caught.value)
    assert "\n" not in message
    assert inception.weights_file().name in message
    assert str(empty_hub / "checkpoints") in message
    assert ("download failed" in message) == download


def test_inception_is_not_a_default_without_cached_weights(empty_hub: Path, tmp_path: Path) -> None:
    images = torch.rand(8, 3, 32, 32) * 2 - 1
    context = make_context(from_tensor(images), TensorSource(images), "cifar10", tmp_path)
    plan = plan_metrics(context)
    assert plan.metrics == {}
    assert "inception-fd" in plan.skipped
    assert inception.weights_file().name in plan.skipped["inception-fd"]
    assert set(plan_metrics(context, ["fid"]).metrics) == {"inception-fd"}  # named: kept


def test_features_of_grey_and_colour_images_have_2048_dimensions() -> None:
    torch.manual_seed(0)
    extractor = InceptionFeatures()  # random weights: shapes only
    assert extractor(torch.rand(2, 1, 28, 28) * 2 - 1).shape == (2, FEATURE_DIM)
    assert extractor(torch.rand(2, 3, 32, 32) * 2 - 1).shape == (2, FEATURE_DIM)
    with pytest.raises(DataError, match="1- or 3-channel"):
        extractor(torch.rand(2, 4, 32, 32))


@pytest.mark.slow
def test_metric_runs_from_a_cached_weights_file(empty_hub: Path, tmp_path: Path) -> None:
    from torchvision.models.inception import Inception3

    torch.manual_seed(0)
    stand_in = Inception3(aux_logits=True, init_weights=False).state_dict()
    inception.weights_file().parent.mkdir(parents=True)
    torch.save(stand_in, inception.weights_file())  # stands in for the downloaded file
    images = torch.rand(12, 1, 28, 28) * 2 - 1
    context = make_context(
        from_tensor(images), TensorSource(images), "mnist-like", tmp_path, num_samples=12
    )
    plan = plan_metrics(context, ["inception-fd"])
    results = plan.metrics["inception-fd"].compute(context)
    assert results["fd"] == pytest.approx(0.0, abs=1e-3)  # the same images as the data
    assert results["precision"] == results["recall"] == 1.0
    assert list((tmp_path / "reference").glob("mnist-like-*.safetensors"))
