"""Training a conditional GAN on k-means clusters of the images in place of their labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from PIL import Image

from ganzoo.data.clusters import balanced_assignment, cluster_labels
from ganzoo.data.context import default_context
from ganzoo.data.memory import InMemorySource
from ganzoo.plugins import plugin_set
from ganzoo.storage.weights import load_generator, read_safetensors
from tests.conftest import built_once, run_cli

CLUSTERS = 12


def digits() -> InMemorySource:
    source = plugin_set().registry.build("dataset", "digits", {}, default_context(None))
    assert isinstance(source, InMemorySource)
    return source


def test_clusters_are_equal_sized_and_a_fixed_function_of_the_images() -> None:
    images = digits().images  # 1,797 of them
    labels = cluster_labels(images, CLUSTERS)
    assert sorted(set(torch.bincount(labels, minlength=CLUSTERS).tolist())) == [149, 150]
    assert torch.equal(labels, cluster_labels(images.clone(), CLUSTERS))


def test_clusters_follow_the_digits_without_reading_a_label() -> None:
    source = digits()
    assert source.labels is not None
    labels = cluster_labels(source.images, 10)
    # the share of images in their cluster's most common digit: about 0.1 for random
    # clusters of this size, 1 for clusters that are the classes
    purity = sum(
        int(torch.bincount(source.labels[labels == j], minlength=10).max()) for j in range(10)
    ) / len(labels)
    assert purity > 0.55


def test_balanced_assignment_fills_the_nearest_columns_first_up_to_capacity() -> None:
    # five of six rows prefer column 0, nearest first in row order: it takes the first three
    distances = torch.tensor([[0.1, 5.0], [0.2, 5.0], [0.3, 5.0], [0.4, 0.5], [0.5, 9], [9, 1]])
    assert balanced_assignment(distances).tolist() == [0, 0, 0, 1, 1, 1]
    # seven rows: one column takes four, and it is the column the most rows prefer
    seven = torch.cat([distances, torch.tensor([[0.05, 3.0]])])
    assert balanced_assignment(seven).tolist() == [0, 0, 0, 1, 1, 1, 0]
    three_groups = torch.tensor([0.0, 10.0, 20.0]).repeat_interleave(4).unsqueeze(1)
    points = three_groups + torch.linspace(-1, 1, 12).unsqueeze(1)
    labels = balanced_assignment(torch.cdist(points, torch.tensor([[20.0], [0.0], [10.0]])))
    assert labels.tolist() == [1] * 4 + [2] * 4 + [0] * 4
    # 10 rows into 4 columns: sizes 3, 3, 2, 2 whatever the distances
    sizes = torch.bincount(balanced_assignment(torch.rand(10, 4)), minlength=4)
    assert sorted(sizes.tolist()) == [2, 2, 3, 3]


@pytest.fixture(scope="module")
def clustered_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short cdcgan run on the digits, given their clusters in place of their classes."""

    def train(out: Path) -> None:
        result = run_cli(
            "run", "cdcgan", "--set", f"cluster_labels={CLUSTERS}", "--set",
            "dataset.image_size=16", "--steps", "400", "--batch-size", "32", "--seed", "1",
            "--out", str(out / "run"), "--quiet",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr

    return built_once(tmp_path_factory, "clustered-run", train) / "run"


def test_a_clustered_run_records_its_clusters_and_draws_from_them(clustered_run: Path) -> None:
    assert f"cluster_labels = {CLUSTERS}" in (clustered_run / "config.toml").read_text()
    _, metadata = read_safetensors(clustered_run / "generator.safetensors")
    assert json.loads(metadata["ganzoo.data_spec"])["num_classes"] == CLUSTERS
    generator = load_generator(clustered_run)
    assert generator.spec.num_classes == CLUSTERS

    # G has learnt to draw the cluster it is given: its samples of cluster j lie nearer the
    # mean of cluster j's images than of any other cluster's (chance: 1 in 12)
    source = digits()
    assignment = cluster_labels(source.images, CLUSTERS)
    images = torch.nn.functional.interpolate(source.images.float(), size=16, mode="bilinear")
    means = torch.stack([images[assignment == j].mean(0) for j in range(CLUSTERS)]) / 127.5 - 1
    given = torch.arange(CLUSTERS).repeat_interleave(50)
    samples = generator.sample(len(given), seed=2, labels=given)
    nearest = torch.cdist(samples.flatten(1), means.flatten(1)).argmin(dim=1)
    assert (nearest == given).float().mean() > 0.5


def test_a_clustered_runs_picture_is_one_row_per_cluster(
    clustered_run: Path, tmp_path: Path
) -> None:
    with Image.open(clustered_run / "samples" / "step-000400.png") as grid:
        width, height = grid.size
    assert height / width == pytest.approx(CLUSTERS / 5, rel=0.05)  # 64 // 12 = 5 a cluster
    result = run_cli("sample", str(clustered_run), "-n", "8", "--out", str(tmp_path / "s.png"))
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "s.png") as picture:  # one of each of the 12, 4 to a row
        width, height = picture.size
    assert width / height == pytest.approx(4 / 3, rel=0.05)


def test_eval_does_not_score_clusters_as_classes(clustered_run: Path) -> None:
    result = run_cli("eval", str(clustered_run), "-m", "classifier-fd", "-n", "500", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)["metrics"]["classifier-fd"]
    assert "confident_share" in figures
    assert "label_agreement" not in figures  # a cluster is not a digit


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["dcgan"],
            "error: cluster_labels: architecture 'dcgan' is not conditional, so it would not "
            "use the clusters; use a conditional one such as cdcgan or cgan, or leave "
            "cluster_labels unset",
        ),
        (
            ["cgan", "--dataset", "ring8"],
            "error: cluster_labels: dataset 'ring8' is not held in memory as images, so it "
            "cannot be clustered; use digits, mnist, fashion-mnist, cifar10, or a folder "
            "small enough to be held in memory",
        ),
    ],
)
def test_clusters_for_what_cannot_use_them_are_one_line_and_exit_2(
    args: list[str], message: str, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    result = run_cli("run", *args, "--set", "cluster_labels=5", "--steps", "2", "--out", str(run))
    assert result.returncode == 2
    assert result.stderr.strip() == message
    assert not run.exists()


def test_more_clusters_than_images_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli(
        "run", "cdcgan", "--set", "cluster_labels=5000", "--steps", "2", "--out",
        str(tmp_path / "run"),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: cluster_labels = 5000: dataset 'digits' holds only 1797 images; give at most "
        "1797 clusters"
    )
    assert not (tmp_path / "run").exists()
