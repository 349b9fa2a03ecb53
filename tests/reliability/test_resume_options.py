"""``--resume`` refuses every option but --steps, --device, --quiet, --nproc and its own --out.

The cases are built from ``ganzoo run``'s own parameters, so an option added later is
refused (or must be allowed here on purpose) the moment it exists.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest
import typer

from ganzoo.cli.training import ALLOWED_WITH_RESUME, run_command
from ganzoo.config import RunConfig
from ganzoo.training.loop import train
from tests.reliability.processes import Outcome, assert_clean_error, run_batch
from tests.reliability.test_bad_input import fingerprint

RUN = "run"


def run_parameters() -> list[Any]:
    """The parameters of ``ganzoo run``, as the command line parses them."""
    app = typer.Typer(add_completion=False)
    app.command("run")(run_command)
    return list(typer.main.get_command(app).params)


def example(param: Any) -> list[str]:
    """A command-line use of ``param`` with a value of its type."""
    if param.param_type_name == "argument":
        return ["mlp-gan"]
    kind = typing.get_type_hints(run_command)[param.name]
    if kind in (bool, bool | None):
        return [param.opts[0]]
    values: dict[Any, str] = {int | None: "3", float | None: "0.5", list[str]: "seed=1"}
    return [param.opts[0], values.get(kind, "elsewhere")]


REFUSED = {p.name: example(p) for p in run_parameters() if p.name not in ALLOWED_WITH_RESUME}
ALLOWED = {
    "nothing else": [],
    "--steps at the run's last step": ["--steps", "2"],
    "the others allowed": ["--device", "cpu", "--quiet", "--nproc", "1", "--out", RUN],
}


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory, cli_env: dict[str, str]
) -> dict[str, Outcome]:
    """Every case against one finished run, which none of them may change."""
    folder = tmp_path_factory.mktemp("resume-options")
    config = {"architecture": "mlp-gan", "dataset": "ring8", "steps": 2, "batch_size": 16}
    train(RunConfig.model_validate({**config, "out": folder / RUN}), show_progress=False)
    cases = {**REFUSED, **ALLOWED}
    before = fingerprint(folder / RUN)
    results = run_batch(
        [["run", "--resume", RUN, *args] for args in cases.values()], folder, cli_env
    )
    assert fingerprint(folder / RUN) == before, "a resume changed the finished run"
    return dict(zip(cases, results, strict=True))


def test_every_option_of_run_is_covered() -> None:
    assert {"spectral_norm", "minibatch_std", "diffaugment", "lr_d", "overwrite"} <= set(REFUSED)
    assert set(REFUSED) | set(ALLOWED_WITH_RESUME) == {p.name for p in run_parameters()}


@pytest.mark.parametrize("name", REFUSED)
def test_option_is_refused_with_resume(outcomes: dict[str, Outcome], name: str) -> None:
    shown = REFUSED[name][0] if name != "architecture" else "ARCHITECTURE"
    assert_clean_error(outcomes[name], shown, "allowed with --resume: --steps, --device")


@pytest.mark.parametrize("name", ALLOWED)
def test_resume_of_a_finished_run_says_so_and_writes_nothing(
    outcomes: dict[str, Outcome], name: str
) -> None:
    outcome = outcomes[name]
    assert outcome.code == 0, outcome.stderr
    assert "already at step 2 of 2" in outcome.stderr or "--quiet" in ALLOWED[name]
    assert "done" not in outcome.stderr and "Traceback" not in outcome.stderr
    assert Path(outcome.stdout.strip()).name == RUN
