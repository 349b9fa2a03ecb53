"""The component registry: every architecture, loss, dataset, metric, recipe and logger by name.

Entries come from plugins (see :mod:`ganzoo.plugins.loading`); this module only
stores, finds and builds them.
"""

from __future__ import annotations

import fnmatch
import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, TypeAdapter, ValidationError

from ganzoo.errors import ConfigError, PluginError, UnknownComponentError
from ganzoo.kinds import KIND_TABLE, KINDS, Kind
from ganzoo.settings_table import describe_settings, jsonable

if TYPE_CHECKING:
    from ganzoo.image_sizes import ImageSizes
    from ganzoo.recipes import Recipe

NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Entry:
    """One registered component."""

    name: str
    kind: Kind
    factory: Callable[..., Any] | str | BaseModel
    """The callable that builds it (for a recipe, the recipe itself), or an import path
    ``"module:attr"`` of either, loaded on first use."""
    settings: type[BaseModel] | None
    description: str
    aliases: tuple[str, ...]
    package: str
    version: str
    image_sizes: ImageSizes | None = None
    """For an architecture: the square image sizes it makes, when it makes only some."""
    packs: bool = False
    """For an architecture: D judges packs of examples (PacGAN), joined by the core."""

    def load_factory(self) -> Callable[..., Any]:
        """Return the factory, importing it first if it was given as ``"module:attr"``."""
        if not isinstance(self.factory, str):
            return cast(Callable[..., Any], self.factory)
        module_name, _, attr = self.factory.partition(":")
        try:
            target: Any = importlib.import_module(module_name)
            for part in attr.split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError) as error:
            raise PluginError(
                f"{self.kind} {self.name!r} from {self.package} {self.version}: "
                f"cannot import factory {self.factory!r}: {error}"
            ) from error
        return cast(Callable[..., Any], target)

    def settings_schema(self) -> dict[str, Any]:
        """Each setting's default (``None`` where it has none), for listings and docs."""
        if self.settings is None:
            return {}
        return {
            key: (None if info.is_required() else info.get_default(call_default_factory=True))
            for key, info in self.settings.model_fields.items()
        }

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready description (the shape ``ganzoo list --json`` prints)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "package": self.package,
            "version": self.version,
            "aliases": list(self.aliases),
            **({"image_sizes": self.image_sizes.describe()} if self.image_sizes else {}),
            "settings": jsonable(self.settings_schema()),
            "settings_schema": [info.to_json() for info in describe_settings(self.settings)],
        }


@dataclass(frozen=True)
class Conflict:
    """A name registered twice; the first registration was kept.

    How the loader words it for the user is loader policy:
    :func:`ganzoo.plugins.loading.conflict_message`.
    """

    kind: Kind
    name: str
    kept: Entry
    rejected_package: str


@dataclass
class Registry:
    """All registered components, keyed by kind and name."""

    _entries: dict[Kind, dict[str, Entry]] = field(default_factory=lambda: {k: {} for k in KINDS})
    _aliases: dict[Kind, dict[str, str]] = field(default_factory=lambda: {k: {} for k in KINDS})
    conflicts: list[Conflict] = field(default_factory=list)

    def add(self, entry: Entry) -> None:
        """Add an entry; a name or alias already taken keeps the first one.

        The clash is recorded in :attr:`conflicts`, and an alias lost to one is dropped
        from the entry, so listings never show it.
        """
        _check_entry(entry)
        won: list[str] = []
        for name in (entry.name, *entry.aliases):
            existing = self._find(entry.kind, name)
            if existing is None:
                won.append(name)
                continue
            self.conflicts.append(Conflict(entry.kind, name, existing, entry.package))
            if name == entry.name:
                return
        self._entries[entry.kind][entry.name] = replace(entry, aliases=tuple(won[1:]))
        for alias in won[1:]:
            self._aliases[entry.kind][alias] = entry.name

    def _find(self, kind: Kind, name: str) -> Entry | None:
        entries = self._entries[kind]
        return entries.get(name) or entries.get(self._aliases[kind].get(name, ""))

    def names(self, kind: Kind) -> list[str]:
        """Registered names of one kind, sorted."""
        return sorted(self._entries[kind])

    def list(
        self,
        kind: Kind | None = None,
        include: str | Iterable[str] | None = None,
        exclude: str | Iterable[str] | None = None,
    ) -> list[Entry]:
        """Entries sorted by kind then name, filtered by fnmatch patterns on name or alias."""
        includes = [include] if isinstance(include, str) else list(include or [])
        excludes = [exclude] if isinstance(exclude, str) else list(exclude or [])
        kinds = KINDS if kind is None else (kind,)
        found = []
        for k in kinds:
            for entry in sorted(self._entries[k].values(), key=lambda e: e.name):
                names = (entry.name, *entry.aliases)
                if includes and not _matches(names, includes):
                    continue
                if excludes and _matches(names, excludes):
                    continue
                found.append(entry)
        return found

    def get(self, kind: Kind, name: str) -> Entry:
        """The entry registered under ``name`` or one of its aliases."""
        entry = self._find(kind, name)
        if entry is None:
            names = list(self._entries[kind]) + list(self._aliases[kind])
            raise UnknownComponentError(kind, name, names)
        return entry

    def recipe(self, name: str) -> Recipe:
        """The recipe registered under ``name`` (or an alias), loaded and checked."""
        from ganzoo.recipes import Recipe

        entry = self.get("recipe", name)
        recipe: object = entry.load_factory()
        if not isinstance(recipe, Recipe):
            raise PluginError(
                f"recipe {entry.name!r} from {entry.package} {entry.version}: "
                f"{entry.factory!r} is a {type(recipe).__name__}, not a ganzoo.recipes.Recipe"
            )
        return recipe

    def recipes_for(self, dataset: str) -> tuple[str, ...]:
        """Names of the recipes that train on ``dataset`` (by name or alias), shortest first."""
        canonical = self.get("dataset", dataset).name
        found = []
        for entry in self.list("recipe"):
            name = self.recipe(entry.name).config.get("dataset", "digits")
            if self._find("dataset", name) is self._find("dataset", canonical):
                found.append(entry.name)
        return tuple(sorted(found, key=lambda n: (len(n), n)))

    def settings(
        self, kind: Kind, name: str, values: Mapping[str, Any] | BaseModel | None = None
    ) -> BaseModel | None:
        """Validate ``values`` against the entry's settings model (defaults where omitted)."""
        entry = self.get(kind, name)
        return validate_settings(entry, values)

    def build(
        self,
        kind: Kind,
        name: str,
        settings: Mapping[str, Any] | BaseModel | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Build a component: ``factory(validated_settings, *args, **kwargs)``."""
        entry = self.get(kind, name)
        validated = validate_settings(entry, settings)
        factory = entry.load_factory()
        if entry.settings is None:
            return factory(*args, **kwargs)
        return factory(validated, *args, **kwargs)


def validate_settings(
    entry: Entry, values: Mapping[str, Any] | BaseModel | None
) -> BaseModel | None:
    """Validate settings for ``entry``; errors name the component and the bad key."""
    if isinstance(values, BaseModel):
        values = values.model_dump()
    values = dict(values or {})
    if entry.settings is None:
        if values:
            raise ConfigError(
                f"{entry.kind} {entry.name!r} takes no settings, got {', '.join(sorted(values))}"
            )
        return None
    known = set(entry.settings.model_fields)
    unknown = sorted(set(values) - known)
    if unknown:
        from ganzoo.errors import closest

        hints = [
            f"{key!r} (did you mean {closest(key, known)[0]!r}?)"
            if closest(key, known)
            else repr(key)
            for key in unknown
        ]
        raise ConfigError(
            f"unknown setting {', '.join(hints)} for {entry.kind} {entry.name!r}; "
            f"allowed: {', '.join(sorted(known)) or 'none'}"
        )
    try:
        return entry.settings.model_validate(nulls_to_none(entry.settings, values))
    except ValidationError as error:
        raise ConfigError(
            f"invalid setting for {entry.kind} {entry.name!r}: "
            f"{format_validation_error(error, set_prefix=set_prefix(entry))}"
        ) from error


NULL_SPELLINGS = frozenset({"none", "null"})
"""Strings that set an optional setting to None, in TOML (which has no null) and ``--set``."""


def nulls_to_none(model: type[BaseModel], values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with ``"none"``/``"null"`` turned into None for the fields that accept None."""
    result = dict(values)
    for key, value in values.items():
        field = model.model_fields.get(key)
        if field is None or not isinstance(value, str) or value.lower() not in NULL_SPELLINGS:
            continue
        if field.annotation is None:
            continue
        try:
            TypeAdapter(field.annotation).validate_python(None)
        except ValidationError:
            continue
        result[key] = None
    return result


def set_prefix(entry: Entry) -> str:
    """How ``--set`` spells a setting of ``entry``: ``loss.``, or ``metric.fid.`` for the kinds
    a command uses several of (metrics, loggers)."""
    return KIND_TABLE[entry.kind].set_prefix(entry.name)


def format_validation_error(error: ValidationError, *, set_prefix: str | None = None) -> str:
    """One line naming each offending field, its value and what is allowed.

    With ``set_prefix`` (e.g. ``"dataset."``), a missing setting says how ``--set`` gives it.
    """
    parts = []
    for problem in error.errors():
        where = ".".join(str(p) for p in problem["loc"]) or "value"
        value = problem.get("input")
        shown = f" (got {value!r})" if not isinstance(value, dict) else ""
        if problem["type"] == "missing" and set_prefix is not None:
            shown = f" (give it with --set {set_prefix}{where}=VALUE)"
        parts.append(f"{where}: {problem['msg'].lower()}{shown}")
    return "; ".join(parts)


def _check_entry(entry: Entry) -> None:
    for name in (entry.name, *entry.aliases):
        if not NAME_PATTERN.match(name):
            raise PluginError(
                f"{entry.kind} name {name!r} from {entry.package} is not lower-case kebab-case "
                "(letters, digits and single hyphens, e.g. 'my-gan')"
            )
    if not entry.description or "\n" in entry.description.strip():
        raise PluginError(
            f"{entry.kind} {entry.name!r} from {entry.package} needs a one-line description"
        )
    if entry.settings is not None and not (
        isinstance(entry.settings, type) and issubclass(entry.settings, BaseModel)
    ):
        raise PluginError(
            f"{entry.kind} {entry.name!r} from {entry.package}: settings must be a pydantic "
            f"model class, got {entry.settings!r}"
        )
    if entry.kind == "recipe":
        _check_recipe_factory(entry)
    elif not (callable(entry.factory) or (isinstance(entry.factory, str) and ":" in entry.factory)):
        raise PluginError(
            f"{entry.kind} {entry.name!r} from {entry.package}: factory must be callable "
            f"or an import path 'module:attr', got {entry.factory!r}"
        )


def _check_recipe_factory(entry: Entry) -> None:
    from ganzoo.recipes import Recipe

    if not (
        isinstance(entry.factory, Recipe)
        or (isinstance(entry.factory, str) and ":" in entry.factory)
    ):
        raise PluginError(
            f"recipe {entry.name!r} from {entry.package}: give a ganzoo.recipes.Recipe or an "
            f"import path 'module:attr' of one, got {type(entry.factory).__name__}"
        )


def _matches(names: Iterable[str], patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(n, p) for n in names for p in patterns)
