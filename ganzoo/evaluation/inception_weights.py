"""Finding and safely loading torch-fidelity's TF-Inception weights.

The weights are looked for, in order, in the file the metric's ``weights`` setting
names, in the file ``$GANZOO_INCEPTION_WEIGHTS`` names, and in torch-fidelity's own
cache (``torch.hub.get_dir()/checkpoints``, where torch-fidelity downloads them).
They load as a ``.pth`` state dict with ``weights_only=True`` or from ``.safetensors``:
nothing is unpickled.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from ganzoo.errors import ConfigError, DataError, WeightsError

ENV_VAR = "GANZOO_INCEPTION_WEIGHTS"
"""Names an Inception weights file, for every metric without its own ``weights`` setting."""
EXTRA = "ganzoo[fidelity]"
"""The optional dependencies that bring torch-fidelity."""


@dataclass(frozen=True)
class InceptionWeights:
    """A weights file found on disk and who named it."""

    path: Path
    source: str
    """``the 'weights' setting``, ``$GANZOO_INCEPTION_WEIGHTS`` or ``torch-fidelity's cache``."""


def torch_fidelity_missing(metric: str) -> str | None:
    """One line saying how to install torch-fidelity, or None when it is installed."""
    if importlib.util.find_spec("torch_fidelity") is not None:
        return None
    return f"metric {metric!r} needs torch-fidelity, which is not installed: pip install '{EXTRA}'"


def require_torch_fidelity(metric: str) -> None:
    """A :class:`ConfigError` naming the extra to install when torch-fidelity is missing."""
    if message := torch_fidelity_missing(metric):
        raise ConfigError(message)


def weights_url() -> str:
    """Where torch-fidelity downloads the weights from (the installed version's URL)."""
    from torch_fidelity.feature_extractor_inceptionv3 import URL_INCEPTION_V3

    return str(URL_INCEPTION_V3)


def cached_weights_file() -> Path:
    """torch-fidelity's cached weights file: ``<torch hub dir>/checkpoints/<file name>``."""
    return Path(torch.hub.get_dir()) / "checkpoints" / weights_url().rsplit("/", 1)[-1]


def find_weights(setting: Path | None) -> InceptionWeights | None:
    """The weights file to use, or None when none is named and the cache has none.

    A file named by the setting or the environment variable must exist: a
    :class:`WeightsError` says which name pointed nowhere.
    """
    named = [(setting, "the 'weights' setting"), (os.environ.get(ENV_VAR) or None, f"${ENV_VAR}")]
    for path, source in named:
        if path is not None:
            path = Path(path).expanduser()
            if not path.is_file():
                raise WeightsError(f"Inception weights file {path} (named by {source}) not found")
            return InceptionWeights(path, source)
    cached = cached_weights_file()
    return InceptionWeights(cached, "torch-fidelity's cache") if cached.is_file() else None


def missing_message(metric: str, reason: str) -> str:
    """One line naming the file to fetch, from where, and the places it may go."""
    cached = cached_weights_file()
    return (
        f"TF-Inception weights for {metric!r} are not cached ({reason}): download "
        f"{weights_url()} into {cached.parent}/, or name the file with "
        f"--set metric.{metric}.weights=PATH or ${ENV_VAR}"
    )


def load_weights(
    metric: str, setting: Path | None, *, download: bool
) -> tuple[dict[str, torch.Tensor], str]:
    """The weights' state dict and a digest of its tensors (for cache keys; any file format).

    Downloads into torch-fidelity's cache when nothing is found and ``download`` is
    allowed; offline, a :class:`DataError` whose one line names the file and folder.
    """
    found = find_weights(setting)
    if found is None:
        if not download:
            raise DataError(missing_message(metric, "downloads are turned off"))
        target = cached_weights_file()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            torch.hub.download_url_to_file(weights_url(), str(target), progress=True)
        except Exception as error:  # offline, proxy, HTTP, hash mismatch: all the same advice
            detail = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise DataError(missing_message(metric, f"download failed: {detail}")) from None
        found = InceptionWeights(target, "torch-fidelity's cache")
    state = _read_state_dict(found)
    return state, _digest(state)


def _read_state_dict(found: InceptionWeights) -> dict[str, torch.Tensor]:
    try:
        if found.path.suffix == ".safetensors":
            from safetensors.torch import load_file

            return load_file(str(found.path))
        state: dict[str, torch.Tensor] = torch.load(
            found.path, map_location="cpu", weights_only=True
        )
    except Exception as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise WeightsError(
            f"cannot read Inception weights {found.path} (from {found.source}): {detail}"
        ) from None
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise WeightsError(f"{found.path} (from {found.source}) is not a state dict of tensors")
    return state


def _digest(state: dict[str, torch.Tensor]) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for key in sorted(state):
        tensor = state[key].detach().cpu().contiguous()
        digest.update(f"{key}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()
