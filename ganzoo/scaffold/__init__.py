"""``ganzoo new-plugin``: write a ready-to-install plugin package from templates.

The templates (``templates/*.tmpl``, shipped as package data) use
:class:`string.Template` placeholders: ``$name`` (the distribution), ``$module`` (the
import name), ``$loss_name`` (the example loss), ``$ganzoo_version``.
"""

from __future__ import annotations

import keyword
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from string import Template

from ganzoo.errors import ConfigError
from ganzoo.version import __version__

PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

FILES: dict[str, str] = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "gitignore.tmpl": ".gitignore",
    "plugin_init.py.tmpl": "src/{module}/__init__.py",
    "settings.py.tmpl": "src/{module}/settings.py",
    "losses.py.tmpl": "src/{module}/losses.py",
    "test_plugin.py.tmpl": "tests/test_{module}.py",
}
"""Template file → path in the new package (``{module}`` filled in)."""


@dataclass(frozen=True)
class PluginNames:
    """The names a new plugin package uses."""

    name: str
    """Distribution name, as on the package index: ``my-plugin``."""
    module: str
    """Import name: ``my_plugin``."""
    loss_name: str
    """The example loss's component name: ``my-plugin-hinge``."""

    @classmethod
    def from_name(cls, name: str) -> PluginNames:
        check_name(name)
        module = name.replace("-", "_")
        prefix = name.removeprefix("ganzoo-") or name
        return cls(name=name, module=module, loss_name=f"{prefix}-hinge")


def check_name(name: str) -> None:
    """Raise :class:`ConfigError` unless ``name`` makes a good distribution and module name."""
    if not PLUGIN_NAME.match(name):
        raise ConfigError(
            f"plugin name {name!r} is not lower-case kebab-case: use letters, digits and single "
            "hyphens, starting with a letter (e.g. 'ganzoo-hinge')"
        )
    module = name.replace("-", "_")
    if name == "ganzoo" or keyword.iskeyword(module) or module in sys.stdlib_module_names:
        raise ConfigError(
            f"plugin name {name!r} would shadow the Python module {module!r}; "
            "choose another name (e.g. 'ganzoo-" + name + "')"
        )
    if find_spec(module) is not None:
        raise ConfigError(
            f"a Python module named {module!r} is already installed; "
            f"choose another plugin name (e.g. '{name}-plugin')"
        )


def render(template: str, names: PluginNames) -> str:
    """Fill one template's placeholders."""
    folder = resources.files("ganzoo.scaffold").joinpath("templates")
    text = folder.joinpath(template).read_text(encoding="utf-8")
    return Template(text).substitute(
        name=names.name,
        module=names.module,
        loss_name=names.loss_name,
        ganzoo_version=__version__,
    )


def create_plugin(name: str, parent: Path) -> Path:
    """Write the plugin package ``parent/name`` and return its folder.

    The folder must not exist yet; it appears complete or not at all.
    """
    names = PluginNames.from_name(name)
    target = parent / name
    if target.exists() or target.is_symlink():
        raise ConfigError(f"{target} already exists; choose another name or --path")
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=parent))
    try:
        for template, destination in FILES.items():
            path = staging / destination.format(module=names.module)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(template, names), encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
