"""Metrics that were retired: asking for one is a one-line error saying what replaced it."""

from __future__ import annotations

from typing import NoReturn

from ganzoo.errors import ConfigError


def inception_fd() -> NoReturn:
    """``inception-fd``: FID in torchvision's Inception-v3, replaced by ``fid``."""
    raise ConfigError(
        "metric 'inception-fd' was retired: it measured FID in torchvision's Inception-v3, "
        "which under-reports against the TF-Inception FID of papers; use 'fid' (torch-fidelity), "
        "and do not compare old 'inception-fd' figures with 'fid' ones"
    )
