"""Layer summaries (what torchsummary prints) as rich tables."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from rich.table import Table
from torch import nn


@dataclass(frozen=True)
class LayerRow:
    name: str
    kind: str
    output_shape: tuple[int, ...]
    parameters: int


@dataclass(frozen=True)
class ModelSummary:
    title: str
    rows: list[LayerRow]
    total_parameters: int
    trainable_parameters: int
    size_mb: float

    def table(self) -> Table:
        table = Table(title=self.title, title_justify="left", header_style="bold")
        table.add_column("layer")
        table.add_column("type")
        table.add_column("output shape", justify="right")
        table.add_column("parameters", justify="right")
        for row in self.rows:
            shape = "×".join(str(s) for s in row.output_shape)
            table.add_row(row.name, row.kind, shape, f"{row.parameters:,}")
        table.add_section()
        table.add_row(
            "total", "", f"{self.size_mb:.2f} MB", f"{self.total_parameters:,}", style="bold"
        )
        if self.trainable_parameters != self.total_parameters:
            table.add_row("trainable", "", "", f"{self.trainable_parameters:,}")
        return table


def summarise(
    module: nn.Module, example_inputs: tuple[torch.Tensor, ...], title: str
) -> ModelSummary:
    """Run ``module`` once on ``example_inputs`` and record each leaf layer's output."""
    rows: list[LayerRow] = []
    hooks = []

    def record(name: str, layer: nn.Module):  # type: ignore[no-untyped-def]
        def hook(_: nn.Module, __: object, output: object) -> None:
            if isinstance(output, torch.Tensor):
                params = sum(p.numel() for p in layer.parameters(recurse=False))
                params += sum(
                    p.numel()
                    for child in layer.children()
                    if not list(child.children())
                    and type(child).__module__.startswith("torch.nn.utils.parametriz")
                    for p in child.parameters()
                )
                rows.append(LayerRow(name, type(layer).__name__, tuple(output.shape[1:]), params))

        return hook

    for name, layer in module.named_modules():
        if name and _is_leaf(layer):
            hooks.append(layer.register_forward_hook(record(name, layer)))
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            module(*example_inputs)
    finally:
        module.train(was_training)
        for handle in hooks:
            handle.remove()
    total = sum(p.numel() for p in module.parameters())
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    size_bytes = sum(p.numel() * p.element_size() for p in module.parameters())
    size_bytes += sum(b.numel() * b.element_size() for b in module.buffers())
    return ModelSummary(title, rows, total, trainable, size_bytes / 2**20)


def _is_leaf(layer: nn.Module) -> bool:
    children = [c for c in layer.children() if "parametriz" not in type(c).__module__]
    return not children and not type(layer).__module__.startswith("torch.nn.utils.parametriz")
