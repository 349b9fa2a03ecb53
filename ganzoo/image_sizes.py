"""The square image sizes an architecture makes, as a rule (part of the architecture contract).

Importing it is cheap (no torch), so a plugin can declare sizes when it registers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ImageSizes:
    """The side lengths of the square images an architecture makes: ``base · 2^k``.

    Every ``base`` in ``bases`` times ``2^k`` for ``min_doublings ≤ k ≤ max_doublings``
    (no upper bound when ``max_doublings`` is None). ``ImageSizes((4, 7), 2)`` is DCGAN's
    rule (16, 28, 32, 56, 64, …); :meth:`only` lists fixed sizes.
    """

    bases: tuple[int, ...]
    min_doublings: int = 0
    max_doublings: int | None = None

    def __post_init__(self) -> None:
        if not self.bases or any(base < 1 for base in self.bases):
            raise ValueError(f"ImageSizes needs positive bases, got {self.bases}")
        if self.min_doublings < 0 or (
            self.max_doublings is not None and self.max_doublings < self.min_doublings
        ):
            raise ValueError(
                f"ImageSizes doublings must satisfy 0 ≤ min ≤ max, got "
                f"{self.min_doublings}..{self.max_doublings}"
            )

    @classmethod
    def only(cls, *sizes: int) -> ImageSizes:
        """Exactly these sizes."""
        return cls(tuple(sorted(set(sizes))), 0, 0)

    def makes(self, size: int) -> bool:
        """Whether ``size``×``size`` images can be made."""
        return self.nearest_at_or_above(size) == size

    def nearest_at_or_above(self, size: int) -> int | None:
        """The smallest size made that is at least ``size``, or None when all are smaller."""
        return next((candidate for candidate in self.ascending() if candidate >= size), None)

    def ascending(self) -> Iterator[int]:
        """Every size made, smallest first (endless when the rule has no upper bound)."""
        doublings = (
            itertools.count(self.min_doublings)
            if self.max_doublings is None
            else range(self.min_doublings, self.max_doublings + 1)
        )
        seen: set[int] = set()
        pending: list[int] = []
        for k in doublings:
            pending = sorted({*pending, *(base << k for base in self.bases)} - seen)
            limit = min(self.bases) << (k + 1)  # nothing later comes below this
            while pending and (self.max_doublings is not None or pending[0] < limit):
                size = pending.pop(0)
                seen.add(size)
                yield size
        yield from pending

    def describe(self) -> str:
        """E.g. ``16, 28, 32, 56, 64, 112, 128, …`` or ``32``."""
        shown = list(itertools.islice(self.ascending(), 7))
        text = ", ".join(str(size) for size in shown)
        if self.max_doublings is None:
            bases = " or ".join(f"{base}·2^k" for base in self.bases)
            return f"{text}, … ({bases}, k ≥ {self.min_doublings})"
        return text
