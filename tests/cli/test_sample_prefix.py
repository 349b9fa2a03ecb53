"""``ganzoo sample``, ``LoadedGenerator.sample`` and eval keep one promise: the first m samples
are the same whatever n is asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from ganzoo.evaluation import generator_sampler
from ganzoo.latent_batches import sample_batches
from ganzoo.storage.weights import load_generator
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def ring8_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = tmp_path_factory.mktemp("runs") / "ring"
    result = run_cli(
        "run", "mlp-gan", "--dataset", "ring8", "--steps", "20", "--seed", "3",
        "--out", str(run_dir), "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return run_dir


def test_cli_sample_of_fewer_is_a_prefix_of_more(ring8_run: Path, tmp_path: Path) -> None:
    arrays = {}
    for count in (517, 1003, 16):
        out = tmp_path / f"n{count}.npy"
        result = run_cli(
            "sample", str(ring8_run), "-n", str(count), "--seed", "4", "--out", str(out)
        )
        assert result.returncode == 0, result.stderr
        arrays[count] = np.load(out)
        assert arrays[count].shape == (count, 2)
    assert np.array_equal(arrays[1003][:517], arrays[517])  # row 516 sits in a partial batch
    assert np.array_equal(arrays[1003][:16], arrays[16])
    other = tmp_path / "seed5.npy"
    assert (
        run_cli("sample", str(ring8_run), "-n", "16", "--seed", "5", "--out", str(other)).returncode
        == 0
    )
    assert not np.array_equal(np.load(other), arrays[16])


def test_python_sample_matches_the_cli(ring8_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli.npy"
    assert (
        run_cli("sample", str(ring8_run), "-n", "700", "--seed", "4", "--out", str(out)).returncode
        == 0
    )
    generator = load_generator(ring8_run)
    assert np.array_equal(generator.sample(700, seed=4).numpy(), np.load(out))
    assert torch.equal(generator.sample(333, seed=4), generator.sample(700, seed=4)[:333])


@pytest.mark.parametrize("batch_size", [16, 500])
def test_prefixes_hold_across_partial_batches_and_odd_widths(batch_size: int) -> None:
    torch.manual_seed(0)
    network = nn.Sequential(nn.Linear(37, 129), nn.Tanh(), nn.Linear(129, 33))
    generate = generator_sampler(network, 37, seed=2, batch_size=batch_size)
    everything = generate(3 * batch_size + 5)
    for count in (1, 15, 17, batch_size - 1, batch_size + 1, 2 * batch_size + 3):
        assert torch.equal(generate(count), everything[:count]), count


def test_given_labels_keep_the_prefix_promise() -> None:
    class Conditional(nn.Module):
        def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
            return torch.cat([z, labels[:, None].float()], dim=1)

    labels = torch.arange(30) % 7
    big = torch.cat(list(sample_batches(Conditional(), 3, 30, labels=labels, batch_size=8)))
    small = torch.cat(list(sample_batches(Conditional(), 3, 13, labels=labels[:13], batch_size=8)))
    assert torch.equal(big[:13], small)
    assert torch.equal(big[:, 3].long(), labels)
    with pytest.raises(ValueError, match="labels holds 5 entries for 13 samples"):
        next(sample_batches(Conditional(), 3, 13, labels=labels[:5]))
