"""The ``tensorboard`` logger: event files in the run's ``tb/`` folder, by torch's SummaryWriter.

Scalars go under ``loss/`` (every loss term), ``speed/`` (throughput, elapsed time) and
``eval/`` (what ``ganzoo eval`` measured); the sample grids under ``samples``; the
config as hparams (a session start in the run's own folder, not a new subfolder); with
``histograms_every``, the weights under ``weights/`` and gradient norms under ``grad_norm/``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ganzoo.errors import MissingExtraError
from ganzoo.storage.layout import RunLayout
from ganzoo.tracking import Logger, LoggerContext, Outcome

if TYPE_CHECKING:
    from PIL.Image import Image
    from torch import nn

    from ganzoo.builtin.loggers.settings import TensorBoardSettings

try:
    from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
    from tensorboard.plugins.hparams.api_pb2 import Status
    from tensorboard.plugins.hparams.metadata import (
        PLUGIN_DATA_VERSION,
        PLUGIN_NAME,
        SESSION_END_INFO_TAG,
    )
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData, SessionEndInfo
    from torch.utils.tensorboard import SummaryWriter
    from torch.utils.tensorboard.summary import hparams
except ImportError:  # raised here, when a run asks for the logger, as one line
    raise MissingExtraError(
        "the tensorboard logger needs TensorBoard, an optional extra: "
        "pip install 'ganzoo[tensorboard]'"
    ) from None

SPEED_KEYS = frozenset({"images_per_s", "elapsed_s"})
END_STATUS = {
    "finished": "STATUS_SUCCESS",
    "stopped": "STATUS_UNKNOWN",  # it may be resumed
    "diverged": "STATUS_FAILURE",
    "failed": "STATUS_FAILURE",
}


class TensorBoardLogger(Logger):
    """Writes the run's events into ``RUN/tb``; a resumed run hides the steps it redoes."""

    def __init__(self, settings: TensorBoardSettings, context: LoggerContext) -> None:
        self.settings = settings
        # TensorBoard hides events at or after purge_step from earlier files: the steps a
        # killed process logged after its last checkpoint, which the resumed run logs again
        purge = None if context.resumed_from is None else context.resumed_from + 1
        self.writer = SummaryWriter(
            log_dir=str(RunLayout(context.run_dir).events),
            purge_step=None if context.evaluating else purge,
            flush_secs=max(1, math.ceil(settings.flush_secs)),
        )
        self.last_histograms: int | None = None

    def log_config(self, config: Mapping[str, Any]) -> None:
        _, session_start, _ = hparams(hparam_values(config), {})
        self.writer._get_file_writer().add_summary(session_start)

    def log_scalars(self, step: int, values: Mapping[str, float]) -> None:
        for key, value in values.items():
            group = "speed" if key in SPEED_KEYS else "loss"
            self.writer.add_scalar(f"{group}/{key}", value, step)

    def log_images(self, step: int, tag: str, image: Image) -> None:
        pixels = np.asarray(image.convert("RGB"))
        self.writer.add_image(tag, pixels, step, dataformats="HWC")

    def log_networks(self, step: int, networks: Mapping[str, nn.Module]) -> None:
        every = self.settings.histograms_every
        if not every or step // every == self.last_histograms:
            return
        self.last_histograms = step // every  # at the first logging step of each period
        for role, network in networks.items():
            norms = []
            for name, parameter in network.named_parameters():
                self.writer.add_histogram(f"weights/{role}/{name}", parameter.detach(), step)
                if parameter.grad is not None:
                    norms.append(float(parameter.grad.detach().norm()))
            if norms:
                self.writer.add_histogram(f"grad_norm/{role}", np.asarray(norms), step)
                self.writer.add_scalar(f"grad_norm/{role}_total", math.hypot(*norms), step)

    def log_evaluation(self, step: int, figures: Mapping[str, Mapping[str, float]]) -> None:
        for metric, values in figures.items():
            for key, value in values.items():
                self.writer.add_scalar(f"eval/{metric}/{key}", value, step)

    def close(self, outcome: Outcome | None) -> None:
        if outcome is not None:
            self.writer._get_file_writer().add_summary(session_end(outcome))
        self.writer.close()


def hparam_values(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config flattened for TensorBoard's hparams: ``loss_settings.gp_weight`` and so on.

    TensorBoard takes numbers, strings and booleans; lists and missing values become text.
    """
    flat: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, dict):
            for inner, setting in hparam_values(value).items():
                flat[f"{key}.{inner}"] = setting
        elif isinstance(value, (bool, int, float, str)):
            flat[key] = value
        else:
            flat[key] = "" if value is None else str(value)
    return flat


def session_end(outcome: Outcome) -> Summary:
    """The hparams session-end summary, whose status TensorBoard shows beside the run."""
    info = SessionEndInfo(status=Status.Value(END_STATUS[outcome]))
    content = HParamsPluginData(session_end_info=info, version=PLUGIN_DATA_VERSION)
    metadata = SummaryMetadata(
        plugin_data=SummaryMetadata.PluginData(
            plugin_name=PLUGIN_NAME, content=content.SerializeToString()
        )
    )
    return Summary(value=[Summary.Value(tag=SESSION_END_INFO_TAG, metadata=metadata)])
