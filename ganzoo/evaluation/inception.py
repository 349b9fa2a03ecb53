"""Inception-v3 pool features (2,048-D) with torchvision's ImageNet weights.

The weights come from torchvision's usual download into the torch hub cache
(``torch.hub.get_dir()/checkpoints``), looked for there before any download.
Note: these are torchvision's weights, not the TF-ported ones of the reference FID
code, so scores are comparable between ganzoo runs, not with published FIDs.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ganzoo.errors import DataError, WeightsError

INPUT_SIZE = 299
FEATURE_DIM = 2048


def _weights():  # type: ignore[no-untyped-def]
    from torchvision.models import Inception_V3_Weights

    return Inception_V3_Weights.IMAGENET1K_V1


def weights_file() -> Path:
    """Where the weights file is expected: ``<torch hub dir>/checkpoints/<file name>``."""
    url: str = _weights().url
    return Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]


def weights_cached() -> bool:
    return weights_file().is_file()


def missing_message(reason: str) -> str:
    """One line naming the file needed and the folder it goes in."""
    path = weights_file()
    return (
        f"Inception-v3 weights are not cached ({reason}): put {path.name} "
        f"(from {_weights().url}) into {path.parent}, or set TORCH_HOME to a folder "
        "whose hub/checkpoints holds it"
    )


def load_state_dict(download: bool = True) -> dict[str, torch.Tensor]:
    """The weights, from the cache or else downloaded; a :class:`DataError` when neither works."""
    path = weights_file()
    if not path.is_file():
        if not download:
            raise DataError(missing_message("downloads are turned off"))
        try:
            torch.hub.load_state_dict_from_url(
                _weights().url, progress=True, check_hash=True, weights_only=True
            )
        except Exception as error:  # offline, proxy, HTTP, hash mismatch: all the same advice
            detail = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise DataError(missing_message(f"download failed: {detail}")) from None
    try:
        state: dict[str, torch.Tensor] = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise WeightsError(
            f"cannot read Inception-v3 weights {path}: {error}; delete it and download it again"
        ) from None
    return state


class InceptionFeatures(nn.Module):
    """Images in [-1, 1] ``(N, C, H, W)`` (C = 1 or 3) → pool features ``(N, 2048)``."""

    def __init__(self, state_dict: dict[str, torch.Tensor] | None = None) -> None:
        super().__init__()
        from torchvision.models.inception import Inception3

        # The Google weights expect inputs scaled to [-1, 1], which is what we feed.
        network = Inception3(
            num_classes=1000, aux_logits=True, transform_input=False, init_weights=False
        )
        if state_dict is not None:
            network.load_state_dict(state_dict)
        network.aux_logits = False
        network.AuxLogits = None
        network.fc = nn.Identity()
        self.network = network.eval()

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.ndim != 4 or images.shape[1] not in (1, 3):
            raise DataError(
                f"Inception features need 1- or 3-channel images, got shape {tuple(images.shape)}"
            )
        x = images.float().clamp(-1.0, 1.0)
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        if x.shape[-2:] != (INPUT_SIZE, INPUT_SIZE):
            x = F.interpolate(
                x, size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=False
            )
        return self.network(x)


def load_inception(download: bool = True, device: torch.device | str = "cpu") -> InceptionFeatures:
    """The feature extractor with its weights (see :func:`load_state_dict`)."""
    return InceptionFeatures(load_state_dict(download)).to(device)
