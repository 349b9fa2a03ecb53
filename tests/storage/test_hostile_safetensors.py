"""Property-based: hostile safetensors files and metadata give a WeightsError, nothing else."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import save as safetensors_bytes

from ganzoo.data.spec import DataSpec
from ganzoo.errors import WeightsError
from ganzoo.models import BuildOptions
from ganzoo.storage.checkpoint import load_checkpoint
from ganzoo.storage.weights import ModelDescription, read_safetensors

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID = ModelDescription(
    architecture="mlp-gan",
    architecture_settings={"latent_dim": 8},
    build_options=BuildOptions(),
    spec=DataSpec((2,)),
    step=3,
).to_metadata("generator")
JSON_FIELDS = [
    "ganzoo.architecture_settings",
    "ganzoo.build_options",
    "ganzoo.data_spec",
    "ganzoo.modules",
    "ganzoo.optimizers",
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    JSON_VALUES.map(json.dumps),
    st.sampled_from(["[" * 5000, "1e999", "-1", "NaN", '{"shape": [1e400]}', '{"shape": "wide"}']),
)
TENSORS = {"net.0.weight": torch.zeros(2, 2), "generator.w": torch.ones(3)}


@contextmanager
def written(data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weights.safetensors"
        path.write_bytes(data)
        yield path


def with_metadata(metadata: dict[str, str]) -> bytes:
    return safetensors_bytes(TENSORS, metadata=metadata)


@SETTINGS
@given(st.dictionaries(st.sampled_from([*VALID, "ganzoo.loss"]), HOSTILE_TEXT))
def test_hostile_description_metadata(changes: dict[str, str]) -> None:
    try:
        description = ModelDescription.from_metadata({**VALID, **changes}, Path("w.safetensors"))
    except WeightsError as error:
        assert "w.safetensors" in str(error)
        return
    assert all(s >= 1 for s in description.spec.shape)
    assert description.step >= 0


@SETTINGS
@given(st.dictionaries(st.text(max_size=20), st.text(max_size=20), max_size=8))
def test_arbitrary_metadata(metadata: dict[str, str]) -> None:
    with suppress(WeightsError):
        ModelDescription.from_metadata(metadata, Path("w.safetensors"))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from([*JSON_FIELDS, "ganzoo.step", "ganzoo.role"]), HOSTILE_TEXT))
def test_hostile_checkpoint_metadata(changes: dict[str, str]) -> None:
    metadata = {
        **VALID,
        "ganzoo.role": "checkpoint",
        "ganzoo.config": 'architecture = "mlp-gan"\n',
        "ganzoo.modules": '["generator"]',
        "ganzoo.optimizers": "{}",
        **changes,
    }
    with written(with_metadata(metadata)) as path:
        try:
            load_checkpoint(path)
        except WeightsError as error:
            assert str(path) in str(error)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_damaged_bytes(data: st.DataObject) -> None:
    original = bytearray(with_metadata(VALID))
    cut = data.draw(st.integers(0, len(original)))
    damaged = original[:cut]
    for _ in range(data.draw(st.integers(0, 4))):
        if damaged:
            index = data.draw(st.integers(0, len(damaged) - 1))
            damaged[index] = data.draw(st.integers(0, 255))
    with written(bytes(damaged)) as path:
        try:
            read_safetensors(path)
        except WeightsError as error:
            assert str(path) in str(error)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(content: bytes) -> None:
    with written(content) as path, suppress(WeightsError):
        load_checkpoint(path)
