"""`ganzoo reproduce`: a short real toy reproduction, its report, and finishing a half-done one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_short_pacgan_ring8_reproduction_covers_the_ring(tmp_path: Path) -> None:
    out = tmp_path / "repro"
    result = run_cli("reproduce", "pacgan-ring8", "--seeds", "1", "--steps", "1500",
                     "--device", "cpu", "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads((out / "results.json").read_text())
    seed = document["seeds"][0]["metrics"]
    # At 1,500 of the recipe's steps PacGAN's networks already find every mode of the ring
    # with most samples inside 3σ; the full budget is measured in docs/zoo.md.
    assert seed["mode-coverage.modes_covered"] >= 7
    assert seed["mode-coverage.high_quality_pct"] >= 40
    summary = document["summary"]["mode-coverage.high_quality_pct"]
    assert summary["verdict"] in {"beaten", "matched", "missed"} and summary["seeds"] == 1
    report = (out / "report.md").read_text()
    assert "98.2 ± 0.2" in report and "Budget changed to 1500 steps" in report
    assert "| ours (mean ± sd, 1 seed) |" in report
    # wall time depends on the machine's load; the process's CPU time is recorded beside it
    assert document["seeds"][0]["train_cpu_seconds"] > 0 and "min of CPU time" in report
    assert "verdict" in result.stderr and "published" in result.stderr


def test_reproduce_keeps_finished_seeds_and_resumes_half_trained_ones(tmp_path: Path) -> None:
    out = tmp_path / "repro"
    first = run_cli("reproduce", "pacgan2-ring8", "--seeds", "1", "--steps", "20",
                    "--device", "cpu", "--out", str(out))  # fmt: skip
    assert first.returncode == 0, first.stderr
    finished = (out / "seed-0" / "metrics.jsonl").read_text()
    # a second seed, stopped half-way by hand
    half = run_cli("run", "--recipe", "pacgan2-ring8", "--seed", "1", "--steps", "10",
                   "--device", "cpu", "--out", str(out / "seed-1"), "-q")  # fmt: skip
    assert half.returncode == 0, half.stderr
    second = run_cli("reproduce", "pacgan2-ring8", "--seeds", "2", "--steps", "20",
                     "--device", "cpu", "--out", str(out))  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert (out / "seed-0" / "metrics.jsonl").read_text() == finished
    assert "seed 0: kept" in second.stderr and "seed 1: resumed from step 10" in second.stderr
    steps = [json.loads(line)["step"] for line in
             (out / "seed-1" / "metrics.jsonl").read_text().splitlines()]  # fmt: skip
    assert steps == sorted(steps) and steps[-1] == 20
    document = json.loads((out / "results.json").read_text())
    assert [s["seed"] for s in document["seeds"]] == [0, 1]
    # other metric settings: the trained seeds are kept, but evaluated again with them
    third = run_cli("reproduce", "pacgan2-ring8", "--seeds", "1", "--steps", "20",
                    "--device", "cpu", "--out", str(out),
                    "--set", "metric.mode-coverage.threshold=1e-6")  # fmt: skip
    assert third.returncode == 0, third.stderr
    assert "seed 0: kept" not in third.stderr
    assert (out / "seed-0" / "metrics.jsonl").read_text() == finished  # not trained again
    saved = json.loads((out / "seed-0" / "eval.json").read_text())
    assert saved["metric_settings"]["mode-coverage"]["threshold"] == 1e-6
    assert saved["metrics"]["mode-coverage"]["high_quality_pct"] == 0
    assert (
        "Metric settings given with --set: mode-coverage.threshold"
        in (out / "report.md").read_text()
    )


def test_reproduce_refuses_a_folder_of_something_else(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("reproduce", "pacgan-ring8", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "notes.txt" in result.stderr and result.stderr.count("\n") == 1
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_report_sets_the_real_vs_real_floor_and_the_classifier_beside_the_figures(
    tmp_path: Path,
) -> None:
    from PIL import Image

    from ganzoo.evaluation.reproduce import SeedResult, summarise, write_report
    from ganzoo.plugins import plugin_set
    from ganzoo.storage.layout import RunLayout

    recipe = plugin_set().registry.recipe("dcgan-mnist")
    classifier = {"classifier": "mnist-abc (weights sha256 0123456789abcdef)"}
    results = [
        SeedResult(seed, tmp_path / f"seed-{seed}", {
            "classifier-fd.confident_share": share, "classifier-fd.real_confident_share": 0.98,
            "classifier-fd.precision_to_real": 0.9, "classifier-fd.recall_to_real": 0.7,
            "classifier-fd.classes_covered": 10.0, "classifier-fd.class_kl": 0.01,
        }, train_seconds=60.0, train_cpu_seconds=90.0, protocols={"classifier-fd": classifier},
        trained_in={"precision": precision, "threads": "2", **flushed})
        for seed, share, precision, flushed in (
            (0, 0.8, "bf16", {}), (1, 0.9, "fp32", {"denormals": "flushed"})
        )
    ]  # fmt: skip
    for result in results:  # each seed's final sample grid, for the board
        frame = RunLayout(result.run_dir).sample(1000)
        frame.parent.mkdir(parents=True)
        Image.new("RGB", (28, 28), "gray").save(frame)
    rows = summarise(results, recipe)
    assert {row.key: row.verdict for row in rows}["classifier-fd.recall_to_real"] == "missed"
    write_report(tmp_path, "dcgan-mnist", recipe, results, rows, None, {})
    report = (tmp_path / "report.md").read_text()
    assert "| real vs real |" in report
    assert "| classifier-fd.confident_share | 0.9 | 0.85 ± 0.071 | 0.98 | matched |" in report
    assert "1.0 min (mean of 2), 1.5 min of CPU time" in report
    assert "weights sha256 0123456789abcdef" in report
    # the recipe was measured in bf16; seed 1 trained in fp32, as on a CPU without the unit
    assert (
        "Trained in: seed 0 bf16, 2 CPU threads; seed 1 fp32, 2 CPU threads, denormals flushed."
        in report
    )
    assert "The recipe was measured in bf16; a seed that trained in another" in report
