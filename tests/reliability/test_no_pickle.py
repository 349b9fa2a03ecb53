"""Nothing in ganzoo or its bundled plugins unpickles: weights are safetensors, arrays plain."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "ganzoo").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")])
UNPICKLING_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve"}


def dotted(node: ast.expr) -> str:
    """``torch.load`` for the expression ``torch.load`` (empty when not a plain name chain)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def keyword_is(call: ast.Call, name: str, value: object) -> bool:
    return any(
        k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is value
        for k in call.keywords
    )


def problems(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Each line that imports a pickling module or loads data in a way that may unpickle."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in UNPICKLING_MODULES:
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in UNPICKLING_MODULES:
                yield node.lineno, f"from {node.module} import ..."
            if node.module == "torch" and any(a.name == "load" for a in node.names):
                yield node.lineno, "from torch import load (use torch.load(..., weights_only=True))"
        elif isinstance(node, ast.Call) and (problem := call_problem(node)):
            yield node.lineno, problem


def call_problem(call: ast.Call) -> str | None:
    """What is wrong with a call that may unpickle, if anything."""
    name = dotted(call.func)
    module, function = name.split(".")[0], name.split(".")[-1]
    if name.endswith("torch.load") and not keyword_is(call, "weights_only", True):
        return f"{name}(...) without weights_only=True"
    if module in {"np", "numpy"} and function == "load" and keyword_is(call, "allow_pickle", True):
        return f"{name}(..., allow_pickle=True)"
    if module in UNPICKLING_MODULES and function in {"load", "loads", "Unpickler"}:
        return f"{name}(...)"
    return None


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_source_never_unpickles(path: Path) -> None:
    found = [f"line {line}: {what}" for line, what in problems(ast.parse(path.read_text()))]
    assert not found, f"{path.relative_to(ROOT)} may unpickle: {'; '.join(found)}"


@pytest.mark.parametrize(
    "source",
    [
        "import pickle",
        "from pickle import loads",
        "import torch\ntorch.load('x.pt')",
        "import torch\ntorch.load('x.pt', weights_only=False)",
        "import numpy as np\nnp.load('x.npy', allow_pickle=True)",
        "from torch import load",
    ],
)
def test_the_scan_catches_unpickling(source: str) -> None:
    assert list(problems(ast.parse(source)))


def test_the_scan_allows_safe_loading() -> None:
    safe = "import torch, numpy as np\ntorch.load('x', weights_only=True)\nnp.load('x.npy')"
    assert not list(problems(ast.parse(safe)))
