"""The GPU benchmark code runs on the CPU in its smoke sizes, and refuses a CPU without --smoke.

The whole smoke run (``python bench/run.py --gpu --smoke``) takes tens of seconds on a
2-core CPU, most of it in the first 64-pixel convolutions; here the mlp-gan benchmark runs
in full and the dcgan benchmark's data and both of its sides are built.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from bench import gpu
from ganzoo.config import RunConfig
from ganzoo.plugins import plugin_set
from ganzoo.training.setup import prepare

CPU = torch.device("cpu")


def test_mlp_benchmark_measures_both_loops_and_both_ratios(tmp_path: Path) -> None:
    result = gpu.measure(gpu.mlp_benchmark(None, tmp_path, gpu.SMOKE), CPU, gpu.SMOKE, False)
    reference = result["reference"]["images_per_s"]
    ours = {name: row["images_per_s"] for name, row in result["ganzoo"].items()}
    assert set(ours) == {"fp32", "bf16"} and reference > 0 and all(v > 0 for v in ours.values())
    assert result["ratio_same_precision_fp32"] == pytest.approx(ours["fp32"] / reference)
    assert result["ratio_best"] == pytest.approx(max(ours.values()) / reference)
    assert result["bf16_over_fp32"] == pytest.approx(ours["bf16"] / ours["fp32"])
    assert result["gflop_per_image"] > 0
    assert result["fraction_of_bf16_peak"] is None  # no GPU, no peak to divide by


def test_dcgan_benchmark_feeds_both_sides_the_same_64_pixel_images(tmp_path: Path) -> None:
    benchmark = gpu.dcgan_benchmark(None, tmp_path, gpu.SMOKE)
    images, _ = next(iter(benchmark.loader))
    assert images.shape == (gpu.SMOKE.dcgan_batch, 3, 64, 64)
    config = RunConfig.model_validate({**benchmark.ganzoo, "device": "cpu", "steps": 1})
    plan = prepare(config, plugin_set().registry)
    assert plan.data.spec.shape == (3, 64, 64)
    assert benchmark.ganzoo["dataset_settings"]["path"] == Path(benchmark.loader.dataset.root)


def test_without_cuda_the_gpu_suite_refuses_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    if torch.cuda.is_available():
        pytest.skip("a GPU is here: the suite would run")
    with pytest.raises(SystemExit) as stopped:
        gpu.run_gpu_benchmarks(None)
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip()
    assert "no CUDA GPU" in error and "--smoke" in error and "\n" not in error
