"""The swiss-roll source: seeded, index-addressable batches on the spiral."""

from __future__ import annotations

import itertools

import pytest
import torch
from ganzoo_relativistic.settings import SwissRollSettings
from ganzoo_relativistic.swiss_roll import build_swiss_roll
from pydantic import ValidationError

from ganzoo.data.source import DataContext

CPU = torch.device("cpu")


def source(**settings: float):  # type: ignore[no-untyped-def]
    return build_swiss_roll(SwissRollSettings(**settings), DataContext())


def take(iterator, n):  # type: ignore[no-untyped-def]
    return [batch.x for batch in itertools.islice(iterator, n)]


def test_spec_is_two_dimensional_points() -> None:
    spec = source().spec
    assert spec.shape == (2,)
    assert spec.num_classes is None
    low, high = spec.value_range
    assert low < -1 < 1 < high


def test_batch_i_depends_only_on_seed_index_and_batch_size() -> None:
    data = source()
    from_start = take(data.batches(32, seed=7, device=CPU), 5)
    resumed = take(data.batches(32, seed=7, device=CPU, start=3), 2)
    assert torch.equal(from_start[3], resumed[0])
    assert torch.equal(from_start[4], resumed[1])
    again = take(source().batches(32, seed=7, device=CPU), 1)
    assert torch.equal(from_start[0], again[0])


def test_other_seeds_indices_and_sizes_give_other_batches() -> None:
    data = source()
    first, second = take(data.batches(32, seed=7, device=CPU), 2)
    assert not torch.equal(first, second)
    (other_seed,) = take(data.batches(32, seed=8, device=CPU), 1)
    assert not torch.equal(first, other_seed)
    (other_size,) = take(data.batches(31, seed=7, device=CPU), 1)
    assert not torch.equal(first[:31], other_size)


def test_noise_free_points_lie_on_the_spiral() -> None:
    settings = SwissRollSettings(noise=0.0)
    x = source(noise=0.0).sample(500, seed=0, device=CPU).x
    assert x.shape == (500, 2)
    radius = x.norm(dim=1) * settings.end  # |t·(cos t, sin t)| = t
    assert radius.min() >= settings.start - 1e-4
    assert radius.max() <= settings.end + 1e-4
    assert x.abs().max() <= 1.0 + 1e-6


def test_angles_must_be_in_order() -> None:
    with pytest.raises(ValidationError, match="must be larger than start"):
        SwissRollSettings(start=5.0, end=2.0)
