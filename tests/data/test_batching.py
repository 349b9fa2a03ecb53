"""In-memory sources: reproducible shuffled batches, normalisation on the device."""

from __future__ import annotations

import time

import pytest
import torch

from ganzoo.data.memory import InMemorySource, resize_uint8, to_unit_range
from ganzoo.data.order import batch_indices, derive_seed, hashed_seed
from ganzoo.errors import DataError

CPU = torch.device("cpu")


def make_source(n: int = 50, labelled: bool = True) -> InMemorySource:
    images = torch.arange(n, dtype=torch.uint8).view(n, 1, 1, 1).expand(n, 1, 4, 4).clone()
    labels = torch.arange(n) % 10 if labelled else None
    return InMemorySource(images, labels, num_classes=10 if labelled else None)


def ids(x: torch.Tensor) -> list[int]:
    """Recover the example number stored as the pixel value."""
    return ((x[:, 0, 0, 0] + 1) * 255 / 2).round().long().tolist()


def test_same_seed_same_batches_and_different_seed_differs() -> None:
    source = make_source()
    first = [b.x for _, b in zip(range(12), source.batches(8, seed=3, device=CPU), strict=False)]
    again = [b.x for _, b in zip(range(12), source.batches(8, seed=3, device=CPU), strict=False)]
    other = [b.x for _, b in zip(range(12), source.batches(8, seed=4, device=CPU), strict=False)]
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True))


def test_start_resumes_exactly() -> None:
    source = make_source()
    fresh = source.batches(8, seed=0, device=CPU)
    batches = [next(fresh) for _ in range(20)]  # crosses three epochs of 6 batches
    for k in (0, 5, 6, 13):
        resumed = next(source.batches(8, seed=0, device=CPU, start=k))
        assert torch.equal(resumed.x, batches[k].x)
        assert torch.equal(resumed.labels, batches[k].labels)


def test_epochs_are_permutations_dropping_the_last_partial_batch() -> None:
    source = make_source(50)
    iterator = source.batches(8, seed=1, device=CPU)
    epoch0 = [i for _ in range(6) for i in ids(next(iterator).x)]
    epoch1 = [i for _ in range(6) for i in ids(next(iterator).x)]
    assert len(set(epoch0)) == 48 and set(epoch0) <= set(range(50))
    assert epoch0 != epoch1  # a fresh permutation each epoch


def test_labels_follow_their_images_and_values_span_minus_one_to_one() -> None:
    source = make_source(50)
    batch = next(source.batches(16, seed=0, device=CPU))
    assert torch.equal(batch.labels, torch.tensor(ids(batch.x)) % 10)
    assert batch.x.dtype == torch.float32
    assert to_unit_range(torch.tensor([0, 255], dtype=torch.uint8)).tolist() == [-1.0, 1.0]


def test_unlabelled_data_gives_no_labels() -> None:
    assert next(make_source(labelled=False).batches(4, seed=0, device=CPU)).labels is None


def test_batch_larger_than_dataset_is_a_clear_error() -> None:
    with pytest.raises(DataError, match=r"batch size 64 is larger than .* \(50 examples\)"):
        next(make_source(50).batches(64, seed=0, device=CPU))


def test_sample_is_distinct_and_deterministic() -> None:
    source = make_source(50)
    sample = source.sample(30, seed=2, device=CPU)
    assert len(set(ids(sample.x))) == 30
    assert torch.equal(sample.x, source.sample(30, seed=2, device=CPU).x)
    assert len(source.sample(120, seed=2, device=CPU).x) == 120


def test_derive_seed_separates_its_parts() -> None:
    assert derive_seed(1, 23) != derive_seed(12, 3)
    assert derive_seed(0, 0) == derive_seed(0, 0)
    order = next(batch_indices(10, 10, seed=0))
    assert sorted(order.tolist()) == list(range(10))


def test_the_one_seed_hash_gives_the_seeds_it_always_gave() -> None:
    """Data orders (text of the parts) and ranks' own streams (bytes of the numbers) share
    one hash; these values were recorded before they did."""
    assert derive_seed(3, 17) == 9038876036672537459
    numbers = b"".join(n.to_bytes(8, "little", signed=True) for n in (3, 17, 1, 0))
    assert hashed_seed(numbers) == 6652645180003812251


def test_resize_keeps_uint8_and_a_flat_image_flat() -> None:
    images = torch.full((3, 1, 8, 8), 200, dtype=torch.uint8)
    resized = resize_uint8(images, 28)
    assert resized.shape == (3, 1, 28, 28) and resized.dtype == torch.uint8
    assert bool((resized == 200).all())


def test_in_memory_batch_costs_microseconds(capsys: pytest.CaptureFixture[str]) -> None:
    images = torch.zeros((60_000, 1, 28, 28), dtype=torch.uint8)
    source = InMemorySource(images, torch.zeros(60_000, dtype=torch.long))
    iterator = source.batches(64, seed=0, device=CPU)
    next(iterator)
    rounds = []
    for _ in range(5):  # best of five: the machine may be busy with other work
        start = time.perf_counter()
        for _ in range(200):
            next(iterator)
        rounds.append((time.perf_counter() - start) / 200)
    with capsys.disabled():
        print(f"\nin-memory 64×1×28×28 batch on CPU: {min(rounds) * 1e6:.0f} µs (best of 5)")
