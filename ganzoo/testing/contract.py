"""The violation a contract check raises, and small assertions that name the rule broken."""

from __future__ import annotations

import math
from typing import Any

import torch

from ganzoo.registry import Entry


class ContractViolation(AssertionError):
    """A component breaks its kind's contract; the message names the rule and the value."""


class Checker:
    """Assertions about one component; each failure names it, the rule and the value."""

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.checked: list[str] = []

    def fail(self, rule: str, detail: str) -> ContractViolation:
        entry = self.entry
        return ContractViolation(
            f"{entry.kind} {entry.name!r} ({entry.package} {entry.version}) breaks the "
            f"{entry.kind} contract, rule '{rule}': {detail}"
        )

    def passed(self, rule: str) -> None:
        self.checked.append(rule)

    def that(self, condition: bool, rule: str, detail: str) -> None:
        if not condition:
            raise self.fail(rule, detail)
        self.passed(rule)

    def shape(self, tensor: Any, expected: tuple[int, ...], rule: str) -> None:
        if not isinstance(tensor, torch.Tensor):
            raise self.fail(rule, f"expected a tensor of shape {expected}, got {type(tensor)}")
        self.that(
            tuple(tensor.shape) == expected,
            rule,
            f"expected shape {expected}, got {tuple(tensor.shape)}",
        )

    def finite(self, tensor: torch.Tensor, rule: str) -> None:
        bad = (~torch.isfinite(tensor.detach())).sum().item()
        self.that(bad == 0, rule, f"{bad} of {tensor.numel()} values are NaN or infinite")

    def within(self, tensor: torch.Tensor, low: float, high: float, rule: str) -> None:
        values = tensor.detach()
        lowest, highest = values.min().item(), values.max().item()
        tolerance = 1e-4 * max(1.0, high - low)
        self.that(
            lowest >= low - tolerance and highest <= high + tolerance,
            rule,
            f"values span [{lowest:.4g}, {highest:.4g}], outside [{low:g}, {high:g}]",
        )

    def number(self, value: Any, rule: str) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise self.fail(rule, f"expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise self.fail(rule, f"got {number}")
        return number
