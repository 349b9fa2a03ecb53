"""Every offline command of the README and the quickstart runs as written.

Commands are read from the pages themselves, so a new line is run the day it is written.
Each page's commands run in order in a folder of their own, as a reader would type them,
with two allowances: a training command gets a short ``--steps`` (and fewer seeds), and
``DATA`` is the MNIST folder beside the repository. The example run folder the pages name
is made by the README's main command first.
A command that cannot run offline here is listed below with the reason, and a listed
command that has left the pages fails the test too.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, SHARED_DATA, run_cli

PAGES = (REPO_ROOT / "README.md", REPO_ROOT / "docs" / "quickstart.md")
EXAMPLE_RUN = "runs/mlp-gan-wgan-gp-digits-20261122-101500"
"""The run folder the README's examples name."""
SHORT_STEPS = "20"

NOT_RUN_HERE = {
    "ganzoo run dcgan --dataset cifar10 --nproc 4 --sync-batchnorm": (
        "downloads CIFAR-10 and needs 4 GPUs; tests/distributed runs DDP on CPU"
    ),
    "tensorboard --logdir runs": "starts TensorBoard's web server, another program",
    "python bench/run.py --data-root DATA": "minutes of timing; tests/bench runs the suite short",
}
TRAINS = ("run", "compare", "reproduce")


def documented_commands(pages: tuple[Path, ...] = PAGES) -> list[str]:
    """The shell command lines of the pages' ``bash`` blocks, in order, without comments."""
    commands = []
    for page in pages:
        for block in re.findall(r"```bash\n(.*?)```", page.read_text(), re.S):
            for line in block.splitlines():
                command = line.split("  #")[0].strip()
                command = command.removeprefix(".venv/bin/")
                if command and not command.startswith(("python3 -m pip", "bash scripts/")):
                    commands.append(command)
    return commands


def as_run_here(command: str) -> list[str]:
    """The argument list that runs ``command`` here: placeholders filled, budgets short."""
    command = command.replace("runs/<run>", EXAMPLE_RUN)
    command = command.replace("DATA", str(SHARED_DATA))
    words = shlex.split(command)
    if words[0] != "ganzoo" or words[1] not in TRAINS or "--resume" in words:
        return words
    if "--steps" in words:
        words[words.index("--steps") + 1] = SHORT_STEPS
    else:
        words += ["--steps", SHORT_STEPS]
    if words[1] in ("compare", "reproduce"):  # each seed is a run of its own
        if "--seeds" not in words:
            words += ["--seeds", "1"]
        words[words.index("--seeds") + 1] = "1"
    return words


def test_the_pages_list_the_commands_this_test_knows() -> None:
    commands = documented_commands()
    assert len(commands) > 20
    assert any(c.startswith("ganzoo run dcgan") for c in commands)
    assert sorted(NOT_RUN_HERE.keys() - set(commands)) == []  # no stale exclusions


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_offline_command_of_the_page_runs(page: Path, tmp_path: Path) -> None:
    main = run_cli(
        "run", "mlp-gan", "--loss", "wgan-gp", "--steps", SHORT_STEPS, "--out", EXAMPLE_RUN,
        "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert main.returncode == 0, main.stderr
    shutil.copy(tmp_path / EXAMPLE_RUN / "generator.safetensors", tmp_path)
    failures = []
    for command in documented_commands((page,)):
        if command in NOT_RUN_HERE:
            continue
        if "DATA" in command and not (SHARED_DATA / "MNIST").exists():
            continue
        words = as_run_here(command)
        if words[0] == "ganzoo":
            result = run_cli(*words[1:], cwd=tmp_path)
        else:
            result = subprocess.run(
                [sys.executable, *words[1:]] if words[0] == "python" else words,
                capture_output=True, text=True, cwd=tmp_path, timeout=600,
            )  # fmt: skip
        if result.returncode != 0:
            failures.append(f"{command}\n  → exit {result.returncode}: {result.stderr[-800:]}")
    assert not failures, "\n".join(failures)


@pytest.mark.slow
def test_the_python_examples_run(tmp_path: Path) -> None:
    for page in PAGES:
        for block in re.findall(r"```python\n(.*?)```", page.read_text(), re.S):
            if "ganzoo.train(" not in block:
                continue
            source = block.replace("steps=500", f"steps={SHORT_STEPS}")
            source = "import torch\ntorch.set_num_threads(1)\n" + source
            result = subprocess.run(
                [sys.executable, "-c", source], capture_output=True, text=True, cwd=tmp_path,
                timeout=600,
            )  # fmt: skip
            assert result.returncode == 0, f"{page.name}:\n{block}\n{result.stderr[-800:]}"
