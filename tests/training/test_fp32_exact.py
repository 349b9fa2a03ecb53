"""``--precision fp32`` trains bit for bit as ganzoo did before ``--precision auto``.

The hashes are of the weights of short runs trained by the code before the speed work
(one CPU thread, seed 0). Floating-point sums depend on the CPU's instruction set, on the
torch version and on the thread count, so they hold only where they were recorded; elsewhere
the test skips.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from ganzoo.training.performance import CPU_INFO, cpuinfo_fields
from tests.conftest import SHARED_DATA, run_cli

RUNS: dict[str, list[str]] = {
    "main-job": ["mlp-gan", "--loss", "wgan-gp", "--dataset", "digits", "--steps", "30"],
    # pacgan-ring8 has since been tuned; these --set lines restore the setting it had when the
    # hashes were recorded, so the run still checks the same training.
    "pacgan-ring8": [
        "--recipe",
        "pacgan-ring8",
        "--steps",
        "60",
        "--set",
        "loss.n_critic=1",
        "--set",
        "loss.r1_weight=0",
        "--set",
        "architecture.generator_batchnorm=true",
    ],
    "dcgan-mnist": ["dcgan", "--dataset", "mnist", "--steps", "6", "--batch-size", "16"],
}
"""The runs, each trained with ``--seed 0 --precision fp32``."""

AMD_MLP_HASHES: dict[str, tuple[str, str]] = {
    "main-job": (
        "36780b2a2934ae0b7404e05c5052d9bf6abf2c651f2c6d837307bc0d26e83222",
        "063d9665bea1b14cccd5204bff6719b58293f6a53aecd38dd96b8476ad8db3ed",
    ),
    "pacgan-ring8": (
        "636c16130685b3d4b7021e1651c166a41cca9fdb4c114f84e75f9ad719c6bfe5",
        "47a17e8592c4fcafac16176dcc359d2e73bb2a745305f25dd704f5a3b3b10ff2",
    ),
}
"""The MLP runs' hashes on AMD CPUs, the same with AVX-512 and with AVX2."""

WEIGHT_HASHES: dict[tuple[str, str, str], dict[str, tuple[str, str]]] = {
    ("2.15", "AVX512", "GenuineIntel"): {
        "main-job": (
            "75e1c2ebec2aa0edf0ca64e0599d6ed98bf6b75403877234ed2e8ed248f77782",
            "67a7d99a08fafc4bfb8e5675e73eb7a69ea747aecc69f657a6140eef725629fa",
        ),
        "pacgan-ring8": (
            "b449ea69d6fec2da2d9ddd32b45da72c3180812e2539c537d2ce034476cc13f6",
            "47402620ca3ffa94197b81570228986a766570a8b390bcd96a986e8444fe41c6",
        ),
        "dcgan-mnist": (
            "aa2f4232d1c46b36654fab8f79891d113a890325f7dff1ba267ceac8970776a3",
            "a5d4f68ab69aa5f3e9d65e7a79b4024cb66351587cfa2dfeb84df2d6315870d9",
        ),
    },
    ("2.15", "AVX512", "AuthenticAMD"): {
        **AMD_MLP_HASHES,
        "dcgan-mnist": (
            "1b652c31ce50b09172d5d5a84375e80a7f7f477eb443c8854c86c9361e47aa3e",
            "f739eb2365d23cd9f2420dd75f587702722640fee4e8bc9565b57dcc6a72b36c",
        ),
    },
    ("2.15", "AVX2", "AuthenticAMD"): {
        **AMD_MLP_HASHES,
        "dcgan-mnist": (
            "1dc82ba1981e6547cbebb2bfe3e0a31ab7ff2d5141b7beb2fd4bd35512b8247c",
            "2fbd2f230f217fe4ea90658f6e282de1094dcc099cb926d8c7bd8da564bdc00a",
        ),
    },
}
"""sha256 of (generator, discriminator) tensors, by name in sorted order, one thread, by the
torch version, CPU capability and CPU vendor they were recorded with (an AMD and an Intel
CPU with AVX-512 sum dcgan's convolutions differently). The AMD AVX-512 hashes were
recorded with the code before the speed work too, and today's fp32 matches them."""


def cpu_vendor() -> str:
    """The CPU's vendor as Linux lists it (``GenuineIntel``, ``AuthenticAMD``), else ``unknown``."""
    try:
        return cpuinfo_fields(CPU_INFO.read_text()).get("vendor_id", "unknown")
    except OSError:
        return "unknown"


def weights_hash(path: Path) -> str:
    """sha256 over a weights file's tensors (names and bytes), not its metadata."""
    tensors = load_file(str(path))
    digest = hashlib.sha256()
    for name in sorted(tensors):
        digest.update(name.encode())
        digest.update(tensors[name].contiguous().numpy().tobytes())
    return digest.hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RUNS))
def test_fp32_runs_train_the_weights_they_trained_before(name: str, tmp_path: Path) -> None:
    here = (
        torch.__version__.split("+")[0].rsplit(".", 1)[0],
        torch.backends.cpu.get_cpu_capability(),
        cpu_vendor(),
    )
    if here not in WEIGHT_HASHES:
        recorded = ", ".join(f"torch {v} on {isa} ({vendor})" for v, isa, vendor in WEIGHT_HASHES)
        pytest.skip(
            f"hashes recorded with {recorded}, not torch {here[0]} on {here[1]} ({here[2]})"
        )
    data: list[str] = []  # the toys and the digits read no files
    if name == "dcgan-mnist":
        if not (SHARED_DATA / "MNIST").is_dir():
            pytest.skip(f"no MNIST under {SHARED_DATA}")
        data = ["--data-root", str(SHARED_DATA)]
    out = tmp_path / "run"
    args = [*RUNS[name], "--seed", "0", "--precision", "fp32", "--out", str(out), *data]
    result = run_cli("run", *args, env={"OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr
    hashes = (
        weights_hash(out / "generator.safetensors"),
        weights_hash(out / "discriminator.safetensors"),
    )
    assert hashes == WEIGHT_HASHES[here][name]
