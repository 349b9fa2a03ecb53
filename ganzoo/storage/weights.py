"""Self-describing weights: safetensors files whose metadata rebuild the network.

The metadata of every file ganzoo writes holds the architecture name and
settings, the build options, the data spec, the ganzoo version and the step,
so ``load_generator(file)`` needs nothing beside the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save as safetensors_bytes
from torch import nn

from ganzoo.data.spec import DataSpec
from ganzoo.errors import GanzooError, WeightsError
from ganzoo.latent_batches import DEFAULT_BATCH_SIZE, sample_batches
from ganzoo.models import BuildOptions, CodedGenerator, GANModels, build_architecture
from ganzoo.plugins.loading import CORE_DISTRIBUTION
from ganzoo.registry import Registry
from ganzoo.storage.atomic import write_atomic
from ganzoo.storage.layout import DISCRIMINATOR, GENERATOR, GENERATOR_EMA, RunLayout
from ganzoo.version import __version__

FORMAT_KEY = "ganzoo.format"
FORMAT_VERSION = "1"


@dataclass(frozen=True)
class ModelDescription:
    """Everything needed to rebuild a network, as stored in the weights metadata."""

    architecture: str
    architecture_settings: dict[str, Any]
    build_options: BuildOptions
    spec: DataSpec
    step: int = 0
    extra: dict[str, str] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    """The distribution that provided each component (architecture, loss, dataset)."""

    def to_metadata(self, role: str) -> dict[str, str]:
        return {
            FORMAT_KEY: FORMAT_VERSION,
            "ganzoo.role": role,
            "ganzoo.version": __version__,
            "ganzoo.architecture": self.architecture,
            "ganzoo.architecture_settings": json.dumps(self.architecture_settings, sort_keys=True),
            "ganzoo.build_options": json.dumps(self.build_options.__dict__, sort_keys=True),
            "ganzoo.data_spec": self.spec.to_json(),
            "ganzoo.step": str(self.step),
            "ganzoo.providers": json.dumps(
                {kind: provider.to_json() for kind, provider in self.providers.items()},
                sort_keys=True,
            ),
            **{f"ganzoo.{k}": v for k, v in self.extra.items()},
        }

    def missing_plugin_hint(self) -> str:
        """How to get the architecture's plugin, when a plugin (not ganzoo) provided it."""
        provider = self.providers.get("architecture")
        if provider is None or provider.package == CORE_DISTRIBUTION:
            return ""
        known = provider.version not in ("", "unknown")
        requirement = f"{provider.package}=={provider.version}" if known else provider.package
        return (
            f"; its architecture {self.architecture!r} came from {provider.package} "
            f"{provider.version}: install that distribution (pip install '{requirement}')"
        )

    @classmethod
    def from_metadata(cls, metadata: dict[str, str], source: Path) -> ModelDescription:
        if FORMAT_KEY not in metadata:
            raise WeightsError(
                f"{source} has no ganzoo metadata: it was not written by ganzoo "
                "(ganzoo reads the generator.safetensors files its runs write)"
            )
        try:
            return cls(
                architecture=_text(metadata["ganzoo.architecture"], "architecture"),
                architecture_settings=_table(metadata["ganzoo.architecture_settings"]),
                build_options=_build_options(metadata["ganzoo.build_options"]),
                spec=_spec(metadata["ganzoo.data_spec"]),
                step=_step(metadata.get("ganzoo.step", "0")),
                providers=_providers(metadata.get("ganzoo.providers", "{}")),
                extra={
                    name: metadata[f"ganzoo.{name}"]
                    for name in EXTRA_KEYS
                    if f"ganzoo.{name}" in metadata
                },
            )
        except METADATA_ERRORS as error:
            raise WeightsError(
                f"{source} has damaged ganzoo metadata ({type(error).__name__}: {error})"
            ) from None


EXTRA_KEYS = ("loss", "dataset", "conditional", "precision", "threads", "denormals")
"""The metadata beside the rebuild description: how the weights were trained."""
METADATA_ERRORS = (KeyError, ValueError, TypeError, AttributeError, OverflowError, RecursionError)
"""What parsing hostile metadata may raise; each becomes a one-line :class:`WeightsError`."""
MAX_EXAMPLE_SIZE = 1 << 28
"""Largest number of values in one example a weights file may describe."""
MAX_CLASSES = 1 << 20
MAX_PACK = 1024


@dataclass(frozen=True)
class Provider:
    """The distribution (name and version) that registered a component."""

    package: str
    version: str

    def to_json(self) -> dict[str, str]:
        return {"package": self.package, "version": self.version}


def _providers(text: str) -> dict[str, Provider]:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise TypeError("providers must be a table")
    return {
        _text(kind, "component kind"): Provider(
            _text(value["package"], "package"), _text(value["version"], "version")
        )
        for kind, value in data.items()
    }


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} is empty")
    return value


def _table(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise TypeError(f"expected a JSON object, got {type(value).__name__}")
    return value


def _build_options(text: str) -> BuildOptions:
    options = BuildOptions(**_table(text))
    flags = {k: v for k, v in options.__dict__.items() if k != "pack"}
    if not all(isinstance(v, bool) for v in flags.values()):
        raise TypeError("build options must be true or false")
    if type(options.pack) is not int or not 1 <= options.pack <= MAX_PACK:
        raise ValueError(f"implausible pack {options.pack!r}")
    return options


def _spec(text: str) -> DataSpec:
    raw = _table(text)
    if not isinstance(raw.get("shape"), list) or not isinstance(raw.get("value_range"), list):
        raise TypeError("shape and value_range must be lists")
    spec = DataSpec.from_dict(raw)
    if not spec.shape or any(s < 1 for s in spec.shape) or spec.numel > MAX_EXAMPLE_SIZE:
        raise ValueError(f"implausible example shape {spec.shape}")
    if spec.num_classes is not None and not 1 <= spec.num_classes <= MAX_CLASSES:
        raise ValueError(f"implausible number of classes {spec.num_classes}")
    return spec


def _step(text: str) -> int:
    step = int(text)
    if step < 0:
        raise ValueError(f"negative step {step}")
    return step


def save_module(module: nn.Module, path: Path, description: ModelDescription, role: str) -> None:
    """Write ``module``'s state as safetensors with ganzoo metadata, atomically."""
    tensors = {k: v.detach().contiguous().cpu() for k, v in module.state_dict().items()}
    write_atomic(path, safetensors_bytes(tensors, metadata=description.to_metadata(role)))


def read_safetensors(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Tensors and metadata of a safetensors file; unreadable files are a :class:`WeightsError`."""
    if not path.is_file():
        raise WeightsError(f"weights file {path} does not exist")
    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = dict(handle.metadata() or {})
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
    except (SafetensorError, OSError, ValueError, RuntimeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise WeightsError(
            f"{path} is not a readable safetensors file (truncated or corrupt?): {reason}"
        ) from None
    return tensors, metadata


def load_state(module: nn.Module, tensors: dict[str, torch.Tensor], source: Path) -> None:
    """Load ``tensors`` into ``module``, naming every missing, unexpected or misshapen tensor."""
    expected = module.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    misshapen = [
        f"{k} {tuple(tensors[k].shape)} vs {tuple(v.shape)}"
        for k, v in expected.items()
        if k in tensors and tensors[k].shape != v.shape
    ]
    if missing or unexpected or misshapen:
        parts = []
        if misshapen:
            parts.append("shape mismatch: " + ", ".join(misshapen[:5]))
        if missing:
            parts.append("missing: " + ", ".join(missing[:5]))
        if unexpected:
            parts.append("unexpected: " + ", ".join(unexpected[:5]))
        raise WeightsError(
            f"{source} does not fit this {type(module).__name__} "
            f"(another architecture or shape?): {'; '.join(parts)}"
        )
    module.load_state_dict(tensors)


def build_models(description: ModelDescription, registry: Registry | None = None) -> GANModels:
    """Rebuild the architecture a description names, from the installed plugins (or
    ``registry``)."""
    if registry is None:
        from ganzoo.plugins import plugin_set

        registry = plugin_set().registry
    return build_architecture(
        registry,
        description.architecture,
        description.architecture_settings,
        description.spec,
        description.build_options,
    )


@dataclass
class LoadedGenerator:
    """A generator rebuilt from its weights file, ready to sample."""

    module: nn.Module
    description: ModelDescription
    latent_dim: int
    conditional: bool
    path: Path

    @property
    def spec(self) -> DataSpec:
        return self.description.spec

    def to(self, device: torch.device | str) -> LoadedGenerator:
        self.module.to(device)
        return self

    def sample(
        self,
        n: int,
        *,
        seed: int = 0,
        labels: torch.Tensor | None = None,
        code: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> torch.Tensor:
        """``n`` samples in data space, on the generator's device.

        The same seed gives the same samples, and ``sample(m)`` is exactly the first ``m``
        rows of ``sample(n)`` (see :mod:`ganzoo.latent_batches`). A conditional generator
        draws its labels from the same seed unless ``labels`` (``n`` of them) are given; a
        :class:`~ganzoo.models.CodedGenerator` draws code ``code`` when it is given, with
        the noise the same seed gives every code.
        """
        device = next(iter(self.module.parameters())).device
        if labels is not None and not self.conditional:
            raise ValueError(f"{self.path} is not a conditional generator: it takes no labels")
        network: nn.Module = self.module
        if code is not None:
            if not isinstance(self.module, CodedGenerator):
                raise ValueError(f"{self.path} is not a generator with a code: it takes none")
            network = _WithCode(self.module, code)
        self.module.eval()
        chunks = list(
            sample_batches(
                network,
                self.latent_dim,
                n,
                seed=seed,
                batch_size=batch_size,
                num_classes=(self.spec.num_classes or 1) if self.conditional else None,
                labels=labels,
                device=device,
            )
        )
        return torch.cat(chunks) if chunks else torch.empty(0, *self.spec.shape, device=device)


class _WithCode(nn.Module):
    """A coded generator whose latents all get one code."""

    def __init__(self, generator: CodedGenerator, code: int) -> None:
        super().__init__()
        self.generator = generator
        self.code = code

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.generator(self.generator.with_code(z, self.code))  # type: ignore[operator]


def load_generator(source: str | Path, device: str | torch.device = "cpu") -> LoadedGenerator:
    """Rebuild a generator from a ``.safetensors`` file or a run directory.

    Args:
        source: a generator weights file, or a run directory (its moving-average
            generator is preferred when the run kept one).
        device: where to put the generator.

    Returns:
        The generator in eval mode with its description.
    """
    path = resolve_generator_file(Path(source))
    tensors, metadata = read_safetensors(path)
    description = ModelDescription.from_metadata(metadata, path)
    role = metadata.get("ganzoo.role", GENERATOR)
    if role == DISCRIMINATOR:
        raise WeightsError(f"{path} holds a discriminator; ganzoo sample needs a generator file")
    if role == "checkpoint":
        tensors = _checkpoint_generator(tensors)
    try:
        models = build_models(description)
    except GanzooError as error:
        raise WeightsError(
            f"cannot rebuild the network of {path}: {error}{description.missing_plugin_hint()}"
        ) from None
    load_state(models.generator, tensors, path)
    models.generator.eval().to(device)
    return LoadedGenerator(
        models.generator, description, models.latent_dim, models.conditional, path
    )


def with_prefix(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The tensors whose names start with ``prefix``, named without it."""
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def _checkpoint_generator(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A training checkpoint's generator tensors (the moving average when it kept one)."""
    return with_prefix(tensors, GENERATOR_EMA + ".") or with_prefix(tensors, GENERATOR + ".")


def resolve_generator_file(source: Path) -> Path:
    """The generator file of a run directory (EMA first), or ``source`` itself."""
    if source.is_dir():
        for role in (GENERATOR_EMA, GENERATOR):
            if (path := RunLayout(source).weights(role)).is_file():
                return path
        raise WeightsError(
            f"{source} holds no generator.safetensors: is it a ganzoo run directory "
            "whose training has written weights?"
        )
    if not source.exists():
        raise WeightsError(f"{source} does not exist (give a run directory or a .safetensors file)")
    if source.suffix != ".safetensors":
        raise WeightsError(f"{source} is not a .safetensors file or a run directory")
    return source
