"""Mixed precision, memory layout, --compile and --deterministic, on the CPU."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from ganzoo.builtin.architectures.layers import spectral_norm
from ganzoo.builtin.losses.penalties import gradient_penalty, r1_penalty
from ganzoo.config import RunConfig, layered_config, read_toml
from ganzoo.errors import ConfigError
from ganzoo.evaluation.reproduce import seed_config, trained_in
from ganzoo.models import GANModels
from ganzoo.plugins import plugin_set
from ganzoo.storage.layout import GENERATOR, RunLayout
from ganzoo.storage.weights import read_safetensors
from ganzoo.training.loop import train
from ganzoo.training.performance import (
    BF16_UNIT_VARIABLE,
    bf16_note,
    cpu_threads,
    cpuinfo_has_bf16_unit,
    resolve_precision,
)
from ganzoo.training.setup import RunPlan, precision_notes, prepare
from ganzoo.training.step import Trainer
from tests.conftest import SHARED_DATA, run_cli


def tiny(**fields: object) -> RunConfig:
    """A small DCGAN on 16-pixel digits, on the CPU."""
    settings: dict[str, object] = {
        "architecture": "dcgan",
        "architecture_settings": {"generator_features": 8, "discriminator_features": 8},
        "dataset_settings": {"image_size": 16},
        "batch_size": 16,
        "steps": 10,
        "device": "cpu",
    }
    return RunConfig.model_validate(settings | fields)


def trainer_for(**fields: object) -> Trainer:
    return Trainer(prepare(tiny(**fields), plugin_set().registry))


def test_wgan_gp_in_bf16_computes_in_bf16_stays_finite_and_trains() -> None:
    trainer = trainer_for(loss="wgan-gp", precision="bf16", loss_settings={"n_critic": 2})
    seen: list[torch.dtype] = []
    for module in trainer.discriminator.modules():
        if isinstance(module, nn.Conv2d):
            module.register_forward_hook(lambda m, i, out: seen.append(out.dtype))
    before = [p.detach().clone() for p in trainer.generator.parameters()]
    for _ in range(2):
        losses = trainer.train_step()
        assert not trainer.not_finite(losses, weights=True)
    assert torch.bfloat16 in seen  # D's convolutions ran under autocast …
    assert torch.float32 in seen  # … and in fp32 on the interpolates of the penalty
    assert losses["gp"].dtype == torch.float32 and float(losses["gp"]) > 0
    after = list(trainer.generator.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, after, strict=True))


@pytest.mark.parametrize("penalty", ["gradient", "r1"])
def test_penalties_run_the_critic_outside_autocast(penalty: str) -> None:
    calls: list[tuple[bool, torch.dtype]] = []

    def critic(x: torch.Tensor) -> torch.Tensor:
        calls.append((torch.is_autocast_enabled("cpu"), x.dtype))
        return (x.flatten(1) ** 2).sum(dim=1)

    real = torch.randn(4, 3)
    fake = torch.randn(4, 3).to(torch.bfloat16)  # as G makes it under bf16 autocast
    with torch.autocast("cpu", dtype=torch.bfloat16):
        value = (
            gradient_penalty(critic, real, fake)
            if penalty == "gradient"
            else r1_penalty(critic, real)
        )
    assert calls == [(False, torch.float32)]
    assert value.dtype == torch.float32


def test_spectral_norm_power_iteration_stays_in_fp32_under_autocast() -> None:
    layers = []
    for _ in range(2):
        torch.manual_seed(0)
        layers.append(spectral_norm(nn.Linear(64, 64)))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        under_autocast = layers[0].weight
    plain = layers[1].weight
    assert under_autocast.dtype == torch.float32
    assert torch.equal(under_autocast, plain)
    state = layers[0].state_dict()
    assert state.keys() == layers[1].state_dict().keys()  # torch's own keys (_u, _v)
    assert all(torch.equal(state[k], layers[1].state_dict()[k]) for k in state)


def test_fp16_keeps_one_gradient_scaler_per_network() -> None:
    trainer = trainer_for(loss="wgan-gp", precision="fp16", loss_settings={"n_critic": 3})
    assert trainer.scaler_g is not None and trainer.scaler_d is not None
    assert trainer.scaler_g is not trainer.scaler_d
    # a small starting scale, so that no step overflows and each counts as a good one
    trainer.scaler_g = torch.amp.GradScaler("cpu", init_scale=1.0)
    trainer.scaler_d = torch.amp.GradScaler("cpu", init_scale=1.0)
    losses = trainer.train_step()
    assert not trainer.not_finite(losses, weights=True)
    # D stepped n_critic = 3 times, G once: each scaler counted its own network's steps
    assert trainer.scaler_d.state_dict()["_growth_tracker"] == 3
    assert trainer.scaler_g.state_dict()["_growth_tracker"] == 1
    assert trainer_for(precision="bf16").scaler_g is None


def test_channels_last_on_request_and_off_by_default_on_the_cpu() -> None:
    trainer = trainer_for(channels_last=True)
    weights = [p for p in trainer.discriminator.parameters() if p.dim() == 4]
    assert weights and all(p.is_contiguous(memory_format=torch.channels_last) for p in weights)
    real, _ = next(trainer.batches())
    assert real.is_contiguous(memory_format=torch.channels_last)
    assert not trainer.not_finite(trainer.train_step(), weights=True)
    default = trainer_for()
    assert not default.channels_last
    assert all(p.is_contiguous() for p in default.generator.parameters())


def test_channels_last_is_refused_without_convolutions() -> None:
    with pytest.raises(ConfigError, match="--channels-last: architecture 'mlp-gan'"):
        trainer_for(architecture="mlp-gan", architecture_settings={}, channels_last=True)


@pytest.mark.parametrize(
    "fields",
    [{"loss": "wgan-gp"}, {"loss": "non-saturating", "loss_settings": {"r1_weight": 1.0}}],
    ids=["wgan-gp", "r1"],
)
def test_compile_is_refused_where_losses_take_gradients_of_gradients(
    fields: dict[str, object],
) -> None:
    with pytest.raises(ConfigError, match=r"--compile: loss .* gradients of gradients"):
        prepare(tiny(compile=True, **fields), plugin_set().registry)


def test_compile_wraps_the_trained_modules_and_leaves_the_saved_ones_plain() -> None:
    trainer = trainer_for(compile=True, loss="hinge")  # compiling itself starts at the first step
    compiled_type = torch._dynamo.eval_frame.OptimizedModule
    assert isinstance(trainer.trained_generator, compiled_type)
    assert isinstance(trainer.trained_discriminator, compiled_type)
    assert not isinstance(trainer.generator, compiled_type)
    assert set(trainer.generator.state_dict()) == set(trainer_for().generator.state_dict())


def test_deterministic_asks_torch_for_deterministic_algorithms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    try:
        trainer = trainer_for(deterministic=True)
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.is_deterministic_algorithms_warn_only_enabled()  # warns, never stops a run
        assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
        assert not trainer.not_finite(trainer.train_step())
    finally:
        torch.use_deterministic_algorithms(False)


def prepared(**fields: object) -> RunPlan:
    return prepare(tiny(**fields), plugin_set().registry)


@pytest.mark.parametrize(
    ("fields", "unit", "expected"),
    [
        ({"dataset_settings": {"image_size": 28}}, "1", "bf16"),  # 784 values: bf16 pays
        ({"dataset_settings": {"image_size": 28}}, "0", "fp32"),  # no unit: fp32
        ({}, "1", "fp32"),  # 16×16: too small for bf16 to pay
        ({"architecture": "mlp-gan", "architecture_settings": {}}, "1", "fp32"),
        (
            {
                "architecture": "pacgan-mlp",
                "architecture_settings": {},
                "dataset": "ring8",
                "dataset_settings": {},
            },
            "1",
            "fp32",
        ),
        ({"dataset_settings": {"image_size": 28}, "precision": "fp32"}, "1", "fp32"),
        ({"precision": "bf16"}, "0", "bf16"),  # asked for: as asked
    ],
    ids=["mnist-sized", "no-unit", "small-images", "mlp-digits", "toy", "fp32", "bf16"],
)
def test_auto_precision_follows_the_unit_and_the_architecture(
    fields: dict[str, object], unit: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BF16_UNIT_VARIABLE, unit)
    plan = prepared(**({"precision": "auto"} | fields))
    assert plan.config.precision == expected
    # channels-last comes by itself only with bf16, and only for convolutions
    convolutional = plan.config.architecture == "dcgan"
    assert plan.channels_last == (expected == "bf16" and convolutional)


def test_auto_is_the_default_and_an_unknown_unit_answer_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert tiny().precision == "auto"
    monkeypatch.setenv(BF16_UNIT_VARIABLE, "yes")
    with pytest.raises(ConfigError, match=f"{BF16_UNIT_VARIABLE}='yes': give 1"):
        prepared()


def _cpuinfo(vendor: str, *flags: str) -> str:
    """Two processors' entries as Linux writes them in /proc/cpuinfo."""
    entry = (
        "processor\t: {n}\nvendor_id\t: {vendor}\ncpu family\t: 25\nmodel name\t: A CPU\n"
        "flags\t\t: fpu vme sse sse2 avx avx2 fma {flags}\nbugs\t\t: sysret_ss_attrs\n\n"
    )
    return "".join(entry.format(n=n, vendor=vendor, flags=" ".join(flags)) for n in range(2))


@pytest.mark.parametrize(
    ("cpuinfo", "unit"),
    [
        (_cpuinfo("GenuineIntel", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile"), True),
        (_cpuinfo("AuthenticAMD", "avx512f", "avx512_bf16"), True),
        (_cpuinfo("GenuineIntel", "avx512f", "avx512_bf16"), False),  # measured not to pay
        (_cpuinfo("AuthenticAMD"), False),
        (_cpuinfo("GenuineIntel", "avx512f"), False),
        ("", False),
    ],
    ids=["intel-amx", "amd-avx512-bf16", "intel-avx512-bf16", "amd-avx2", "intel-avx512", "none"],
)
def test_the_cpu_bf16_unit_is_amx_or_avx512_bf16_on_amd(cpuinfo: str, unit: bool) -> None:
    assert cpuinfo_has_bf16_unit(cpuinfo) is unit
    # a flag's name inside another's is not the flag
    assert not cpuinfo_has_bf16_unit(
        cpuinfo.replace("amx_bf16", "xamx_bf16x").replace("avx512_bf16", "avx512_bf16x")
    )


def test_plugin_architectures_train_in_fp32_unless_they_declare_bf16() -> None:
    models = GANModels(generator=nn.Linear(1, 1), discriminator=nn.Linear(1, 1), latent_dim=1)
    assert resolve_precision("auto", torch.device("cpu"), models) == "fp32"


def test_the_resolved_precision_and_threads_are_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BF16_UNIT_VARIABLE, "1")
    config = tiny(steps=2, out=tmp_path / "run", dataset_settings={"image_size": 28})
    run_dir = train(config, show_progress=False, show_summary=False)
    layout = RunLayout(run_dir)
    assert read_toml(layout.config)["precision"] == "bf16"
    assert f"with {cpu_threads(torch.get_num_threads())} (the weights'" in layout.config.read_text()
    _, metadata = read_safetensors(layout.weights(GENERATOR))
    assert metadata["ganzoo.precision"] == "bf16"
    assert metadata["ganzoo.threads"] == str(torch.get_num_threads())
    assert trained_in(run_dir) == {"precision": "bf16", "threads": str(torch.get_num_threads())}
    monkeypatch.setenv(BF16_UNIT_VARIABLE, "0")
    said = bf16_note("bf16", torch.device("cpu"), resuming=True)  # said on resuming here
    assert said is not None and "trains in bf16, as it started" in said
    assert bf16_note("fp32", torch.device("cpu"), resuming=True) is None


@pytest.mark.parametrize(("unit", "expected"), [("1", "bf16"), ("0", "fp32")])
def test_a_recipe_measured_in_bf16_trains_in_fp32_where_there_is_no_bf16_unit(
    unit: str, expected: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(BF16_UNIT_VARIABLE, unit)
    registry = plugin_set().registry
    assert registry.recipe("dcgan-mnist").config["precision"] == "bf16"  # what it records
    assert layered_config(recipe="dcgan-mnist").precision == expected
    recipe = registry.recipe("dcgan-mnist")
    seed = seed_config("dcgan-mnist", recipe, 0, tmp_path, None, "cpu", None)  # reproduce's
    assert seed.precision == expected
    # asked for in any later layer, bf16 is bf16 with or without the unit
    assert layered_config(recipe="dcgan-mnist", overrides={"precision": "bf16"}).precision == "bf16"
    assert layered_config(recipe="dcgan-mnist", assignments=["precision=bf16"]).precision == "bf16"
    notes = precision_notes(layered_config(recipe="dcgan-mnist"), registry, torch.device("cpu"))
    if unit == "1":
        assert notes == []
    else:
        assert len(notes) == 1 and "recipe 'dcgan-mnist' was measured in bf16" in notes[0]
        forced = layered_config(recipe="dcgan-mnist", overrides={"precision": "bf16"})
        (note,) = precision_notes(forced, registry, torch.device("cpu"))
        assert note.startswith("bf16 as asked: this CPU has no bf16 matrix unit")
    # a recipe measured in fp32 trains in fp32 everywhere, and says nothing of it
    pacgan = layered_config(recipe="pacgan-ring8")
    assert pacgan.precision == "fp32"
    assert precision_notes(pacgan, registry, torch.device("cpu")) == []


def test_ganzoo_run_of_a_bf16_recipe_without_the_unit_says_it_trains_in_fp32(
    tmp_path: Path,
) -> None:
    if not (SHARED_DATA / "MNIST").is_dir():
        pytest.skip(f"no MNIST under {SHARED_DATA}")
    out = tmp_path / "run"
    result = run_cli(
        "run", "--recipe", "dcgan-mnist", "--steps", "2", "--out", str(out),
        "--data-root", str(SHARED_DATA),
        env={BF16_UNIT_VARIABLE: "0", "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stderr.split())  # rich wraps long lines
    assert "recipe 'dcgan-mnist' was measured in bf16, but this CPU has no bf16 matrix" in said
    assert "(fp32, 1 CPU thread)" in said
    assert read_toml(out / "config.toml")["precision"] == "fp32"
    _, metadata = read_safetensors(RunLayout(out).weights(GENERATOR))
    assert metadata["ganzoo.precision"] == "fp32"


def _every_loss() -> list[Any]:
    names = plugin_set().registry.names("loss")
    return [
        *[pytest.param({"loss": name}, id=name) for name in names],
        pytest.param({"loss": "non-saturating", "loss_settings": {"r1_weight": 1.0}}, id="r1"),
        pytest.param({"loss": "hinge", "spectral_norm": True}, id="hinge-spectral-norm"),
    ]


@pytest.mark.parametrize("fields", _every_loss())
def test_every_loss_trains_in_bf16_on_the_cpu_with_penalties_and_reductions_in_fp32(
    fields: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    penalty_inputs: list[tuple[bool, torch.dtype]] = []
    grad = torch.autograd.grad

    def recording_grad(outputs: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        penalty_inputs.append((torch.is_autocast_enabled("cpu"), inputs.dtype))
        return grad(outputs, inputs, *args, **kwargs)

    monkeypatch.setattr(torch.autograd, "grad", recording_grad)
    trainer = trainer_for(precision="bf16", **fields)
    for _ in range(2):
        losses = trainer.train_step()
        assert not trainer.not_finite(losses, weights=True)
    assert all(value.dtype == torch.float32 for value in losses.values())
    assert all(p.dtype == torch.float32 for p in trainer.discriminator.parameters())
    assert all(call == (False, torch.float32) for call in penalty_inputs)


DENORMAL_PROBE = """
import sys
import torch
from ganzoo.cli import main

if sys.argv[1] == "threads-started":  # a parallel operation before the run
    torch.ones(1 << 20).mul_(2.0)
sys.argv = ["ganzoo", *sys.argv[2:]]
try:
    main()
except SystemExit as stop:
    assert not stop.code, stop.code
# the smallest denormal as bits (a float literal would be converted, flushed, on this thread),
# multiplied in parallel over both threads and read back as bits
smallest = torch.ones(1 << 20, dtype=torch.int32).view(torch.float32)
print("unflushed", int(torch.count_nonzero((smallest * 1.0).view(torch.int32))))
"""


def run_denormal_probe(out: Path, flush: bool, before: str = "fresh") -> tuple[int, str]:
    """Train 2 steps of a maxout recipe in a fresh 2-thread process, then count the values of
    a million-value product of denormals that were not flushed; with the run's messages."""
    import subprocess
    import sys

    args = ["run", "--recipe", "wgan-gp-ring8", "--steps", "2", "--device", "cpu"]
    args += ["--out", str(out), "--set", f"flush_denormals={str(flush).lower()}"]
    done = subprocess.run(
        [sys.executable, "-c", DENORMAL_PROBE, before, *args],
        env={**os.environ, "OMP_NUM_THREADS": "2", "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split("unflushed")[-1]), done.stderr


needs_flush_mode = pytest.mark.skipif(
    not torch.backends.cpu.get_cpu_capability().startswith("AVX"),
    reason="denormals are flushed through x86's MXCSR",
)


@needs_flush_mode
@pytest.mark.parametrize("flush", [False, True])
def test_flush_denormals_reaches_every_cpu_thread_of_a_run(tmp_path: Path, flush: bool) -> None:
    unflushed, said = run_denormal_probe(tmp_path / "run", flush)
    assert unflushed == (0 if flush else 1 << 20)
    assert ("denormals flushed" in said) is flush  # the run's header
    assert "keep their own setting" not in said  # no note: the setting holds everywhere
    assert f"flush_denormals = {str(flush).lower()}" in (tmp_path / "run/config.toml").read_text()
    recorded = trained_in(tmp_path / "run")  # what reproduce reports
    assert recorded.get("denormals") == ("flushed" if flush else None)


@needs_flush_mode
def test_flush_denormals_says_so_where_the_worker_threads_started_before(tmp_path: Path) -> None:
    unflushed, said = run_denormal_probe(tmp_path / "run", True, before="threads-started")
    assert 0 < unflushed < 1 << 20  # the main thread flushes, the worker does not
    assert "this process started its worker threads before this run" in said
    assert "keep their own setting" in said
    assert trained_in(tmp_path / "run")["denormals"] == "flushed on some threads only"
