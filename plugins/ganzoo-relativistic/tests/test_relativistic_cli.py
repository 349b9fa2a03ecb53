"""End to end through the installed ``ganzoo`` command, as a user of this plugin would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from safetensors import safe_open


def ganzoo(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GANZOO_STRICT": "1", "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "ganzoo", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
        check=False,
    )


def test_list_shows_the_components_under_this_package() -> None:
    result = ganzoo("list", "--json")
    assert result.returncode == 0, result.stderr
    entries = {(e["kind"], e["name"]): e for e in json.loads(result.stdout)}
    loss = entries[("loss", "relativistic-average")]
    assert loss["package"] == "ganzoo-relativistic"
    assert loss["aliases"] == ["ragan"]
    assert loss["settings"]["lr_g"] == 2e-4
    dataset = entries[("dataset", "swiss-roll")]
    assert dataset["package"] == "ganzoo-relativistic"
    assert dataset["settings"]["noise"] == 0.02


def test_plugins_lists_this_package_as_loaded() -> None:
    result = ganzoo("plugins", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    mine = [p for p in report["plugins"] if p["package"] == "ganzoo-relativistic"]
    assert mine and mine[0]["hooks"] == ["register_datasets", "register_losses", "register_recipes"]
    assert not [f for f in report["failures"] if f["package"] == "ganzoo-relativistic"]


def test_run_trains_with_ragan_on_the_swiss_roll(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = ganzoo(
        "run",
        "mlp-gan",
        "--loss",
        "ragan",
        "--dataset",
        "swiss-roll",
        "--steps",
        "5",
        "--batch-size",
        "16",
        "--device",
        "cpu",
        "--out",
        str(out),
        "--quiet",
        "--set",
        "dataset.noise=0.05",
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["step"] == 5
    assert "logit_gap" in json.dumps(rows[-1])
    with safe_open(str(out / "generator.safetensors"), framework="pt") as handle:
        metadata = handle.metadata()
    assert metadata["ganzoo.loss"] == "relativistic-average"
    assert metadata["ganzoo.dataset"] == "swiss-roll"
    config = (out / "config.toml").read_text()
    assert 'loss = "relativistic-average"' in config
    assert "noise = 0.05" in config
