"""Property-based: whatever a user types into --set or a TOML file, parsing gives a config or a
one-line ConfigError, never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganzoo.config import RunConfig, build_config, parse_assignments, read_toml
from ganzoo.errors import ConfigError, GanzooError
from ganzoo.plugins import plugin_set

FIELDS = sorted(RunConfig.model_fields)
KEYS = st.one_of(
    st.sampled_from(FIELDS),
    st.sampled_from(["architecture.latent_dim", "loss.lr_g", "dataset.std", "loss.n_critic"]),
    st.text(max_size=20),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
ASSIGNMENT_TEXT = st.one_of(
    st.text(max_size=60),
    st.builds(lambda k, v: f"{k}={v}", KEYS, st.text(max_size=30)),
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def one_line(error: GanzooError) -> None:
    message = str(error)
    assert message and "Traceback" not in message


@SETTINGS
@given(st.lists(ASSIGNMENT_TEXT, max_size=4))
def test_set_assignments_give_a_config_or_a_config_error(assignments: list[str]) -> None:
    try:
        layer = parse_assignments(assignments)
        build_config({"architecture": "mlp-gan"}, layer)
    except ConfigError as error:
        one_line(error)


@SETTINGS
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_any_settings_give_a_config_or_a_config_error(layer: dict[str, Any]) -> None:
    try:
        config = build_config({"architecture": "mlp-gan"}, layer)
    except ConfigError as error:
        one_line(error)
        return
    registry = plugin_set().registry
    for kind, field in (("loss", "loss_settings"), ("dataset", "dataset_settings")):
        try:
            registry.settings(kind, getattr(config, kind), getattr(config, field))
        except GanzooError as error:  # unknown names are UnknownComponentError
            one_line(error)


@SETTINGS
@given(st.one_of(st.text(max_size=200), st.dictionaries(KEYS, VALUES, max_size=6)))
def test_any_toml_file_gives_a_config_or_a_config_error(content: str | dict[str, Any]) -> None:
    if isinstance(content, dict):
        try:
            content = tomli_w.dumps(content)
        except (TypeError, ValueError):  # None and the like have no TOML form
            return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
        try:
            build_config(read_toml(path))
        except ConfigError as error:
            one_line(error)


@SETTINGS
@given(st.binary(max_size=200))
def test_undecodable_toml_is_a_config_error(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_bytes(content)
        try:
            build_config(read_toml(path))
        except ConfigError as error:
            one_line(error)
