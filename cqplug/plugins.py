"""Plugin loading and the registry of named models, channels, methods and backends.

Plugins come from the ``cqplug`` entry-point group (built-ins included). A plugin that fails
to import or to register is recorded in :attr:`Registry.failures` and skipped; the others work.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field

import pluggy

from . import hookspecs
from .errors import UnknownName

ENTRY_POINT_GROUP = "cqplug"
KINDS = ("models", "channels", "methods", "backends")


@dataclass
class Entry:
    """One registered name: the factory and where it came from."""

    name: str
    factory: object
    plugin: str
    distribution: str

    @property
    def summary(self) -> str:
        doc = getattr(self.factory, "__doc__", None) or ""
        return doc.strip().splitlines()[0] if doc.strip() else ""


@dataclass
class Failure:
    """A plugin that could not be loaded or could not register."""

    plugin: str
    distribution: str
    reason: str


@dataclass
class Registry:
    """Everything the loaded plugins provide, by kind and name."""

    entries: dict = field(default_factory=lambda: {kind: {} for kind in KINDS})
    failures: list = field(default_factory=list)
    plugins: list = field(default_factory=list)  # (plugin name, distribution) loaded fine

    def get(self, kind: str, name: str) -> Entry:
        try:
            return self.entries[kind][name]
        except KeyError:
            known = ", ".join(sorted(self.entries[kind])) or "none"
            singular = kind[:-1]
            raise UnknownName(
                f"unknown {singular} {name!r}; available {kind}: {known} "
                f"(see `cqplug list`; a plugin that failed to load is listed there)"
            ) from None

    def create(self, kind: str, name: str, **options):
        """Call the factory registered under ``name``."""
        return self.get(kind, name).factory(**options)

    def names(self, kind: str) -> list:
        return sorted(self.entries[kind])


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def build_registry(extra_plugins=()) -> Registry:
    """Load every entry-point plugin (and ``extra_plugins``: (name, module) pairs) into a registry."""
    pm = pluggy.PluginManager("cqplug")
    pm.add_hookspecs(hookspecs)
    registry = Registry()
    origin = {}

    candidates = [(name, "(registered in code)", lambda m=module: m) for name, module in extra_plugins]
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist else "(unknown distribution)"
        candidates.append((ep.name, dist, ep.load))

    for name, dist, load in candidates:
        if pm.has_plugin(name):
            registry.failures.append(Failure(name, dist, "another plugin is already registered under this name"))
            continue
        try:
            pm.register(load(), name=name)
        except Exception as exc:  # a broken third-party plugin must not break the rest
            registry.failures.append(Failure(name, dist, _describe(exc)))
            continue
        origin[name] = dist
        registry.plugins.append((name, dist))

    for kind in KINDS:
        caller = getattr(pm.hook, f"cqplug_register_{kind}")
        for impl in caller.get_hookimpls():
            plugin, dist = impl.plugin_name, origin.get(impl.plugin_name, "")

            def register(name, factory, _kind=kind, _plugin=plugin, _dist=dist):
                existing = registry.entries[_kind].get(name)
                if existing is not None:
                    raise ValueError(f"{_kind[:-1]} {name!r} is already provided by plugin {existing.plugin!r}")
                registry.entries[_kind][name] = Entry(name, factory, _plugin, _dist)

            try:
                impl.function(register=register)
            except Exception as exc:
                registry.failures.append(Failure(plugin, dist, f"cqplug_register_{kind}: {_describe(exc)}"))
    return registry


_registry: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, loaded on first use."""
    global _registry
    if _registry is None:
        _registry = build_registry()
    return _registry


def reset_registry() -> None:
    """Forget the loaded plugins (the next :func:`get_registry` loads them again)."""
    global _registry
    _registry = None
