"""Finding and loading plugins: entry points in the ``ganzoo`` group, each on its own.

A plugin that fails to import, breaks the hook contract or raises inside a hook
is recorded as a :class:`PluginFailure` and everything else keeps working.

ganzoo's own components come the same way, through the ``builtin`` entry point of the
``ganzoo`` distribution, and are registered by the same code. Two things only tell that
distribution apart: it is loaded first (so a clash is reported against the plugin that
came second) and ``GANZOO_LOAD_PLUGINS`` never leaves it out.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy
from pydantic import BaseModel

from ganzoo.errors import GanzooError, PluginError, closest, one_line
from ganzoo.image_sizes import ImageSizes
from ganzoo.plugins.hookspecs import COMPONENT_HOOKS, PROJECT, GanzooHookSpecs
from ganzoo.registry import Conflict, Entry, Kind, Registry

ENTRY_POINT_GROUP = "ganzoo"
LOAD_PLUGINS_ENV = "GANZOO_LOAD_PLUGINS"
STRICT_ENV = "GANZOO_STRICT"
CORE_DISTRIBUTION = "ganzoo"
HOOK_NAMES = tuple(name for name in dir(GanzooHookSpecs) if name.startswith("register_"))


@dataclass(frozen=True)
class PluginFailure:
    """A plugin (or one of its hooks) that could not be used."""

    package: str
    version: str
    error: str
    hook: str | None = None
    entry_point: str = ""
    """The entry point (``name = module``) it came from, where known."""
    breach: bool = False
    """A breach of the contract (bad name, unknown hook), an error in strict mode; an import
    failure or an exception inside a hook is not."""

    def message(self) -> str:
        where = f" in {self.hook}" if self.hook else ""
        return f"plugin {self.package} {self.version} failed{where}: {self.error}"


@dataclass
class LoadedPlugin:
    """A plugin module that was registered with the plugin manager."""

    package: str
    version: str
    entry_point: str
    module: str
    hooks: list[str]


@dataclass
class PluginSet:
    """The outcome of loading: the registry, the plugins and what went wrong."""

    registry: Registry
    manager: pluggy.PluginManager
    plugins: list[LoadedPlugin] = field(default_factory=list)
    failures: list[PluginFailure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Other things the user should hear about (e.g. an unknown name in GANZOO_LOAD_PLUGINS)."""

    def strict_problems(self) -> list[str]:
        """What strict mode (``GANZOO_STRICT``) turns into an error: clashes and breaches."""
        return [f.message() for f in self.failures if f.breach] + self.conflict_messages()

    def check_strict(self) -> None:
        """Raise one :class:`PluginError` naming every strict-mode problem, if any."""
        problems = self.strict_problems()
        if problems:
            raise PluginError(
                f"{STRICT_ENV} is set and {len(problems)} plugin problem"
                f"{'s were' if len(problems) > 1 else ' was'} found: {'; '.join(problems)} "
                "(see 'ganzoo plugins')"
            )

    def warnings(self) -> list[str]:
        """One line per failure, name clash or note, for the CLI to print."""
        return [f.message() for f in self.failures] + self.conflict_messages() + self.notes

    def conflict_messages(self) -> list[str]:
        """One line per name clash in the registry (see :func:`conflict_message`)."""
        return [conflict_message(c) for c in self.registry.conflicts]


def conflict_message(conflict: Conflict) -> str:
    """The clash, which registration won and why, and how to get the other one."""
    kept, rejected = conflict.kept.package, conflict.rejected_package
    clash = (
        f"{conflict.kind} name {conflict.name!r} from {rejected} is already registered by "
        f"{kept} ({conflict.kept.kind} {conflict.kept.name!r})"
    )
    if kept == rejected:
        return f"{clash}; the first registration is kept, so {kept} must rename one"
    if kept == CORE_DISTRIBUTION:
        return (
            f"{clash}; ganzoo's own components load first and always win, "
            f"so {rejected} must use another name"
        )
    return (
        f"{clash}; kept {kept}'s, because plugins load in order of distribution name "
        f"and the first registration wins; to use {rejected}'s, leave {kept} out with "
        f"{LOAD_PLUGINS_ENV} (a comma-separated list of the plugins to load)"
    )


def is_strict() -> bool:
    """Strict mode turns name clashes and contract breaches (bad names, unknown hooks) into
    errors; plugins that fail to import or raise in a hook are isolated in every mode."""
    return os.environ.get(STRICT_ENV, "").lower() in {"1", "true", "yes"}


def allowed_distributions() -> set[str] | None:
    """Distribution names ``GANZOO_LOAD_PLUGINS`` allows; ``None`` means all."""
    raw = os.environ.get(LOAD_PLUGINS_ENV)
    if raw is None:
        return None
    return {_normalise(name) for name in raw.split(",") if name.strip()}


def discover() -> list[EntryPoint]:
    """Entry points of the ``ganzoo`` group, the core distribution's first."""
    found = list(entry_points(group=ENTRY_POINT_GROUP))

    def order(ep: EntryPoint) -> tuple[int, str, str]:
        dist = _dist_name(ep)
        return (0 if _normalise(dist) == CORE_DISTRIBUTION else 1, _normalise(dist), ep.name)

    return sorted(found, key=order)


def load(
    entry_points_: list[EntryPoint] | None = None,
    extra_plugins: list[tuple[object, str, str]] | None = None,
    strict: bool | None = None,
) -> PluginSet:
    """Load plugins from entry points (and ``extra_plugins``) into a fresh registry.

    Args:
        entry_points_: entry points to load; by default every one in the ``ganzoo`` group
            that ``GANZOO_LOAD_PLUGINS`` allows.
        extra_plugins: ``(plugin_object, package, version)`` triples registered after
            the entry points (tests and embedding applications use this).
        strict: after loading everything, raise one :class:`PluginError` naming every clash
            and contract breach; default from ``GANZOO_STRICT``.
    """
    strict = is_strict() if strict is None else strict
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(GanzooHookSpecs)
    plugin_set = PluginSet(Registry(), manager)
    allowed = allowed_distributions()
    found = discover() if entry_points_ is None else entry_points_
    if allowed is not None:
        plugin_set.notes += _unknown_allowed(allowed, found)
    candidates: list[tuple[Callable[[], object], str, str, str]] = []
    for ep in found:
        package = _dist_name(ep)
        if (
            allowed is not None
            and _normalise(package) != CORE_DISTRIBUTION
            and _normalise(package) not in allowed
        ):
            continue
        version = ep.dist.version if ep.dist is not None else "unknown"
        candidates.append((ep.load, package, version, f"{ep.name} = {ep.value}"))
    for plugin, package, version in extra_plugins or []:
        candidates.append((_returning(plugin), package, version, repr(plugin)))

    for load_object, package, version, label in candidates:
        _register_one(plugin_set, load_object, package, version, label)
    for kind, hook_name in COMPONENT_HOOKS.items():
        _call_component_hook(plugin_set, kind, hook_name)
    if strict:
        plugin_set.check_strict()
    return plugin_set


def _unknown_allowed(allowed: set[str], found: list[EntryPoint]) -> list[str]:
    """A note for each name in ``GANZOO_LOAD_PLUGINS`` that no installed plugin has."""
    installed = sorted({_dist_name(ep) for ep in found} - {CORE_DISTRIBUTION})
    known = {_normalise(name) for name in installed}
    return [
        f"{LOAD_PLUGINS_ENV} names {name!r}, which is not an installed ganzoo plugin; "
        f"installed: {', '.join(installed) or 'none besides ganzoo itself'}"
        for name in sorted(allowed - known - {CORE_DISTRIBUTION})
    ]


def call_command_hooks(plugin_set: PluginSet, cli: Any) -> None:
    """Let each plugin add subcommands to ``cli``; a failing one is recorded, not fatal."""
    for impl in _impls_in_order(plugin_set, "register_commands"):
        package, version = _package_of(plugin_set, impl.plugin_name)
        try:
            impl.function(cli=cli)
        except Exception as error:
            plugin_set.failures.append(
                PluginFailure(package, version, _one_line(error), "register_commands")
            )


def _register_one(
    plugin_set: PluginSet,
    load_object: Callable[[], object],
    package: str,
    version: str,
    label: str,
) -> None:
    try:
        plugin = load_object()
    except Exception as error:
        _fail(
            plugin_set,
            PluginFailure(
                package, version, f"import failed: {_one_line(error)}", entry_point=label
            ),
        )
        return
    name = f"{package}:{label}"
    try:
        plugin_set.manager.register(plugin, name=name)
    except Exception as error:  # pluggy.PluginValidationError, ValueError on duplicates
        failure = PluginFailure(package, version, _one_line(error), entry_point=label, breach=True)
        _fail(plugin_set, failure)
        return
    hooks = []
    for attr in dir(plugin):
        opts = plugin_set.manager.parse_hookimpl_opts(plugin, attr)
        if opts is None:
            continue
        hook_name = opts.get("specname") or attr
        if hook_name in HOOK_NAMES:
            hooks.append(hook_name)
            continue
        hint = closest(hook_name, HOOK_NAMES, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        _fail(
            plugin_set,
            PluginFailure(
                package,
                version,
                f"implements unknown hook {hook_name!r}{suggestion} "
                f"(known: {', '.join(HOOK_NAMES)})",
                entry_point=label,
                breach=True,
            ),
        )
    module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__name__
    plugin_set.plugins.append(LoadedPlugin(package, version, label, module, sorted(hooks)))


def _call_component_hook(plugin_set: PluginSet, kind: Kind, hook_name: str) -> None:
    for impl in _impls_in_order(plugin_set, hook_name):
        package, version = _package_of(plugin_set, impl.plugin_name)
        staged: list[Entry] = []
        register = Registrar(kind, package, version, staged)
        try:
            impl.function(register=register)
        except Exception as error:  # isolated in every mode: one bad plugin never breaks the rest
            message = str(error) if isinstance(error, GanzooError) else _one_line(error)
            label = impl.plugin_name.partition(":")[2]
            _fail(plugin_set, PluginFailure(package, version, message, hook_name, label))
            continue
        for entry in staged:
            try:
                plugin_set.registry.add(entry)
            except PluginError as error:
                label = impl.plugin_name.partition(":")[2]
                failure = PluginFailure(package, version, str(error), hook_name, label, breach=True)
                _fail(plugin_set, failure)


class Registrar:
    """The ``register`` callback a hook receives, bound to one kind and one package."""

    def __init__(self, kind: Kind, package: str, version: str, staged: list[Entry]) -> None:
        self.kind = kind
        self.package = package
        self.version = version
        self._staged = staged

    def __call__(
        self,
        name: str,
        factory: Callable[..., Any] | str | BaseModel,
        settings: type[BaseModel] | None = None,
        *,
        description: str,
        aliases: tuple[str, ...] | list[str] = (),
        image_sizes: ImageSizes | None = None,
        packs: bool = False,
    ) -> None:
        """Register one component.

        Args:
            name: lower-case kebab-case name, e.g. ``"my-gan"``.
            factory: the callable that builds it (for a recipe, the
                :class:`ganzoo.recipes.Recipe` itself), or ``"module:attr"`` of either,
                imported on first use.
            settings: a pydantic model of its settings (``None`` if it has none).
            description: one line saying what it is.
            aliases: other names it answers to.
            image_sizes: for an image architecture that makes only some square sizes,
                which (:class:`ganzoo.models.ImageSizes`); runs then fit the dataset's
                default image size to them.
            packs: for an architecture whose D can judge packs of examples (PacGAN): it
                builds D for ``options.discriminator_spec(spec)`` and the core joins packs.
        """
        if (image_sizes is not None or packs) and self.kind != "architecture":
            raise PluginError(
                f"{self.kind} {name!r} from {self.package} {self.version}: image_sizes= and "
                "packs= are for architectures only"
            )
        self._staged.append(
            Entry(
                name=name,
                kind=self.kind,
                factory=factory,
                settings=settings,
                description=description.strip(),
                aliases=tuple(aliases),
                package=self.package,
                version=self.version,
                image_sizes=image_sizes,
                packs=packs,
            )
        )


def _returning(plugin: object) -> Callable[[], object]:
    """A loader for an already-imported plugin object."""
    return lambda: plugin


def _impls_in_order(plugin_set: PluginSet, hook_name: str) -> list[Any]:
    caller = getattr(plugin_set.manager.hook, hook_name)
    order = {p.package + ":" + p.entry_point: i for i, p in enumerate(plugin_set.plugins)}
    return sorted(caller.get_hookimpls(), key=lambda impl: order.get(impl.plugin_name, 1 << 30))


def _package_of(plugin_set: PluginSet, plugin_name: str) -> tuple[str, str]:
    for plugin in plugin_set.plugins:
        if f"{plugin.package}:{plugin.entry_point}" == plugin_name:
            return plugin.package, plugin.version
    return plugin_name, "unknown"


def _fail(plugin_set: PluginSet, failure: PluginFailure) -> None:
    plugin_set.failures.append(failure)


def _dist_name(ep: EntryPoint) -> str:
    return ep.dist.name if ep.dist is not None else ep.value.split(".")[0]


def _normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def _one_line(error: BaseException) -> str:
    """The error on one line (a multi-line message, like pluggy's, joined with '; ')."""
    first = one_line(f"{type(error).__name__}: {error}", "; ")
    if len(first) > 400:
        first = first[:397] + "..."
    if os.environ.get("GANZOO_DEBUG"):
        first += "\n" + "".join(traceback.format_exception(error))
    return first
