"""fid, kid, inception-score and precision-recall through torch-fidelity's real code path.

The weights are a stand-in of the real shapes (torch-fidelity's InceptionV3 with random
convolutions), saved as a ``.pth`` state dict and as safetensors: the numbers are not
those of the real network, but every step from the weights file to the figures is.
Inception at 299×299 is slow on a CPU, so each evaluation uses four images.
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch
from eval_helpers import from_tensor, make_context
from safetensors.torch import load_file, save_file
from torch import nn

from ganzoo.cli.evaluation import metrics_table
from ganzoo.data import TensorSource
from ganzoo.errors import ConfigError, WeightsError
from ganzoo.evaluation import evaluate, plan_metrics, results_document
from ganzoo.evaluation.inception_weights import (
    ENV_VAR,
    cached_weights_file,
    find_weights,
    torch_fidelity_missing,
)

N = 4
FIDELITY_METRICS = ["fid", "kid", "inception-score", "precision-recall"]


pytestmark = pytest.mark.usefixtures("one_thread")  # Inception on one CPU thread


def stand_in_state_dict() -> dict[str, torch.Tensor]:
    """torch-fidelity's InceptionV3 with seeded He-initialised convolutions, as a state dict."""
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    class Unloaded(FeatureExtractorInceptionV3):  # type: ignore[misc]
        def load_state_dict(self, *args: object, **kwargs: object) -> None:
            """Keep the fresh initialisation instead of the (empty) file's contents."""

    empty = io.BytesIO()
    torch.save({}, empty)
    empty.seek(0)
    torch.manual_seed(0)
    network = Unloaded("stand-in", ["2048"], feature_extractor_weights_path=empty)
    for module in network.modules():
        if isinstance(module, nn.Conv2d):  # keeps the activations' scale through the layers
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
    return {key: value.clone() for key, value in network.state_dict().items()}


@dataclass
class StandIn:
    pth: Path
    safetensors: Path


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> StandIn:
    folder = tmp_path_factory.mktemp("stand-in-weights")
    state = stand_in_state_dict()
    weights = StandIn(folder / "inception.pth", folder / "inception.safetensors")
    torch.save(state, weights.pth)
    save_file(state, str(weights.safetensors))
    return weights


def images(seed: int) -> torch.Tensor:
    return torch.rand(N, 3, 32, 32, generator=torch.Generator().manual_seed(seed)) * 2 - 1


@dataclass
class Evaluation:
    cache: Path
    results: dict[str, dict[str, float]]
    document: dict[str, Any]
    messages: list[str]


def evaluate_cifar_like(
    cache: Path, fake: torch.Tensor, real: torch.Tensor, metrics: list[str], weights: Path | None
) -> Evaluation:
    """Evaluate ``metrics`` of a "generator" that returns ``fake`` against the data ``real``."""
    messages: list[str] = []
    context = make_context(
        from_tensor(fake), TensorSource(real), "cifar10", cache, num_samples=N,
        progress=messages.append, download=False,
    )  # fmt: skip
    settings: dict[str, dict[str, Any]] = {
        name: {"weights": weights} if weights else {} for name in metrics
    }
    if "inception-score" in metrics:
        settings["inception-score"]["splits"] = 2
    results = evaluate(context, metrics, settings=settings)
    return Evaluation(cache, results, results_document(context, results), messages)


@pytest.fixture(scope="module")
def first(stand_in: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    """All four metrics, weights named by the setting (safetensors), generated = real images."""
    cache = tmp_path_factory.mktemp("fidelity-cache")
    return evaluate_cifar_like(cache, images(0), images(0), FIDELITY_METRICS, stand_in.safetensors)


def test_the_four_metrics_give_their_numbers(first: Evaluation) -> None:
    assert {name: set(values) for name, values in first.results.items()} == {
        "fid": {"fid"},
        "kid": {"kid", "kid_std"},
        "inception-score": {"inception_score", "inception_score_std"},
        "precision-recall": {"precision", "recall", "f_score"},
    }
    assert first.results["fid"]["fid"] == pytest.approx(0.0, abs=1e-4)  # the same images
    assert abs(first.results["kid"]["kid"]) < 0.01
    assert first.results["precision-recall"]["precision"] == 1.0
    assert first.results["precision-recall"]["recall"] == 1.0
    assert first.results["inception-score"]["inception_score"] >= 1.0
    json.dumps(first.document, allow_nan=False)  # eval.json-ready


def test_every_figure_carries_its_sample_counts_and_split(first: Evaluation) -> None:
    protocols = first.document["protocols"]
    assert set(protocols) == set(FIDELITY_METRICS)
    for name in ("fid", "kid", "precision-recall"):
        assert protocols[name]["num_samples"] == protocols[name]["num_real"] == N
        assert protocols[name]["split"] == "train"
        assert protocols[name]["features"].startswith("torch-fidelity 0.4")
    assert protocols["inception-score"]["num_samples"] == N  # the score uses no real data
    assert "split" not in protocols["inception-score"]
    table = metrics_table(first.results, protocols)
    cells = [str(cell) for column in table.columns for cell in column._cells]
    assert "num_samples=4 num_real=4 split=train" in " ".join(cells)


def test_the_four_share_one_pass_over_the_generated_images(first: Evaluation) -> None:
    passes = [m for m in first.messages if m.startswith("TF-Inception features")]
    assert passes == [
        f"TF-Inception features of {N} generated images",
        f"TF-Inception features of {N} real images (train)",
    ]


def test_real_features_are_cached_and_reused(
    first: Evaluation, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second evaluation, weights named by the environment variable (.pth), reads the cache.

    Its real source holds other images, so only the cached features give the same KID
    (KID rather than FID: FID's 2,048² eigenproblem takes seconds on a CPU).
    """
    (reference,) = (first.cache / "reference").glob("cifar10-*.safetensors")
    assert set(load_file(str(reference))) == {"features"}  # safetensors: nothing to unpickle
    monkeypatch.setenv(ENV_VAR, str(stand_in.pth))
    again = evaluate_cifar_like(first.cache, images(0), -images(1), ["kid"], None)
    assert not [m for m in again.messages if "real images" in m]
    assert again.results["kid"] == pytest.approx(first.results["kid"], abs=1e-12)
    assert again.document["protocols"]["kid"]["num_real"] == N


def test_weights_are_found_by_setting_then_variable_then_cache(
    stand_in: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert find_weights(None) is None
    cached = cached_weights_file()
    assert cached.parent == tmp_path / "torch" / "hub" / "checkpoints"
    assert cached.name == "weights-inception-2015-12-05-6726825d.pth"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(stand_in.pth.read_bytes())
    assert find_weights(None).path == cached
    monkeypatch.setenv(ENV_VAR, str(stand_in.pth))
    assert find_weights(None).path == stand_in.pth
    assert find_weights(stand_in.safetensors).path == stand_in.safetensors
    with pytest.raises(WeightsError, match=r"nowhere\.pth \(named by the 'weights' setting\)"):
        find_weights(tmp_path / "nowhere.pth")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "gone.pth"))
    with pytest.raises(WeightsError, match=rf"gone\.pth \(named by \${ENV_VAR}\)"):
        find_weights(None)


def test_without_weights_the_metrics_are_not_defaults_but_named_ones_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.delenv(ENV_VAR, raising=False)
    context = make_context(from_tensor(images(0)), TensorSource(images(0)), "cifar10", tmp_path)
    with pytest.raises(ConfigError, match=r"weights-inception-2015-12-05-6726825d\.pth"):
        plan_metrics(context)  # the only metrics for such images all decline
    assert set(plan_metrics(context, FIDELITY_METRICS).metrics) == set(FIDELITY_METRICS)


def test_without_torch_fidelity_the_metric_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "torch_fidelity", None)  # as if it were not installed
    message = torch_fidelity_missing("fid")
    assert message is not None and "pip install 'ganzoo[fidelity]'" in message


def test_the_retired_inception_fd_says_what_replaced_it(tmp_path: Path) -> None:
    context = make_context(from_tensor(images(0)), TensorSource(images(0)), "cifar10", tmp_path)
    with pytest.raises(ConfigError, match=r"'inception-fd' was retired.*use 'fid'"):
        plan_metrics(context, ["inception-fd"])
