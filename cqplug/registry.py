"""Plugin loading and the registry of named models, channels, methods and backends.

Plugins come from the ``cqplug`` entry-point group, built-ins included (they are ordinary
entry points of the ``cqplug`` distribution). Rules, so that an installed package can never
silently change what a name means:

* Built-in names are registered first and always win: a third-party plugin registering a
  built-in name (say "toy") keeps its other names, and the clash is listed under "failed
  plugins" naming both distributions.
* Two third-party plugins registering the same name: neither gets it (both are listed, with
  their distributions); their other names stay.
* A hook that raises part-way registers nothing at all (registration is transactional).
* A plugin that fails to import, implements a hook that does not exist (a misspelling such as
  ``cqplug_register_model``), or defines a ``cqplug_register_*`` function without
  ``@hookimpl`` is listed with the reason; everything else keeps working.
* A factory that raises when it is used is reported in one line naming the plugin, its
  distribution and the exception (:class:`~cqplug.errors.PluginFailed`; the CLI exits with 2).

Names and one-line summaries have one source: the registered name and the first line of the
factory's docstring.
"""

from __future__ import annotations

import importlib.metadata
import inspect
from dataclasses import dataclass, field

import pluggy

from . import hookspecs
from .errors import CQPlugError, InvalidProblem, PluginFailed, UnknownName, did_you_mean

ENTRY_POINT_GROUP = "cqplug"
BUILTIN_DISTRIBUTION = "cqplug"
KINDS = ("models", "channels", "methods", "backends")


@dataclass
class Entry:
    """One registered name: the factory and where it came from."""

    name: str
    factory: object
    plugin: str
    distribution: str
    builtin: bool

    @property
    def summary(self) -> str:
        doc = (getattr(self.factory, "__doc__", None) or "").strip()
        return doc.splitlines()[0] if doc else ""


@dataclass
class Failure:
    """A plugin, or one of its names, that could not be loaded or registered."""

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
            raise UnknownName(f"unknown {kind[:-1]} {name!r}{did_you_mean(name, self.entries[kind])}; "
                              f"available {kind}: {known} "
                              "(see `cqplug list`; a plugin that failed to load is listed there)") from None

    def create(self, kind: str, name: str, **options):
        """Call the factory registered under ``name``. Options it does not take are bad input
        (InvalidProblem); anything else it raises is the plugin's failure, reported in one line
        naming the plugin, its distribution and the exception (PluginFailed; the original is its
        ``__cause__``, which ``cqplug --debug`` prints)."""
        entry = self.get(kind, name)
        try:
            inspect.signature(entry.factory).bind(**options)
        except TypeError as exc:
            raise InvalidProblem(f"{kind[:-1]} {name!r}: {exc}") from None
        except ValueError:  # no signature to inspect (a builtin): the call itself will tell
            pass
        try:
            return entry.factory(**options)
        except CQPlugError:
            raise
        except Exception as exc:
            raise PluginFailed(f"the {kind[:-1]} {name!r} of plugin {entry.plugin!r} ({entry.distribution}) failed: "
                               f"{type(exc).__name__}: {exc} (cqplug --debug shows the traceback)") from exc

    def model(self, name: str):
        return self.create("models", name)

    def channel(self, name: str, **options) -> list:
        return self.create("channels", name, **options)

    def method(self, name: str):
        """A new method object, its ``name`` set to the name it is registered under."""
        method = self.create("methods", name)
        method.name = name
        return method

    def backend(self, name: str, **options):
        return self.create("backends", name, **options)

    def names(self, kind: str) -> list:
        return sorted(self.entries[kind])

    def owner(self, name: str) -> Entry | None:
        """The entry of any kind registered under ``name`` (None if none)."""
        for kind in KINDS:
            if name in self.entries[kind]:
                return self.entries[kind][name]
        return None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def _candidates(extra_plugins) -> list:
    """(name, distribution, builtin, loader) in registration order: built-ins, then the rest by
    distribution and name (deterministic, whatever order the entry points are discovered in)."""
    found = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist_name = ep.dist.name if ep.dist else None
        dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist else "(unknown distribution)"
        found.append((ep.name, dist, dist_name == BUILTIN_DISTRIBUTION, ep.load))
    found += [(name, "(registered in code)", False, lambda m=module: m) for name, module in extra_plugins]
    return sorted(found, key=lambda c: (not c[2], c[1], c[0]))


def build_registry(extra_plugins=()) -> Registry:
    """Load every entry-point plugin (and ``extra_plugins``: (name, module) pairs) into a registry."""
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    registry = Registry()
    loaded = []
    for name, dist, builtin, load in _candidates(extra_plugins):
        if pm.has_plugin(name):
            registry.failures.append(Failure(name, dist, "another plugin is already registered under this name"))
            continue
        try:
            plugin = load()
            pm.register(plugin, name=name)
        except Exception as exc:  # a broken third-party plugin must not break the rest
            registry.failures.append(Failure(name, dist, _describe(exc)))
            continue
        problems = _hook_problems(pm, plugin)
        registry.failures += [Failure(name, dist, p) for p in problems]
        registry.plugins.append((name, dist))
        loaded.append((name, dist, builtin, plugin))

    claims = {kind: {} for kind in KINDS}  # kind -> name -> [Entry]
    implementations = {kind: {impl.plugin_name: impl.function
                              for impl in getattr(pm.hook, f"cqplug_register_{kind}").get_hookimpls()}
                       for kind in KINDS}
    for name, dist, builtin, _plugin in loaded:
        for kind in KINDS:
            impl = implementations[kind].get(name)
            if impl is None:
                continue
            made = []
            try:
                impl(register=lambda n, factory, _made=made: _made.append((n, factory)))
            except Exception as exc:  # transactional: nothing of this hook is registered
                registry.failures.append(Failure(name, dist, f"cqplug_register_{kind}: {_describe(exc)} "
                                                             "(nothing of it was registered)"))
                continue
            for entry_name, factory in made:
                if not isinstance(entry_name, str) or not entry_name or not callable(factory):
                    registry.failures.append(Failure(name, dist, f"cqplug_register_{kind}: register(name, factory) "
                                                                 f"needs a name and a callable, got {entry_name!r}"))
                    continue
                claims[kind].setdefault(entry_name, []).append(Entry(entry_name, factory, name, dist, builtin))
    for kind in KINDS:
        for entry_name, entries in claims[kind].items():
            builtins = [e for e in entries if e.builtin]
            if len(entries) == 1 or len(builtins) == 1:
                winner = builtins[0] if builtins else entries[0]
                registry.entries[kind][entry_name] = winner
                for loser in entries:
                    if loser is not winner:
                        registry.failures.append(Failure(
                            loser.plugin, loser.distribution,
                            f"{kind[:-1]} {entry_name!r} is built in (plugin {winner.plugin}, {winner.distribution}); "
                            "a plugin cannot replace it: rename yours"))
                continue
            owners = "; ".join(f"plugin {e.plugin} ({e.distribution})" for e in entries)
            for e in entries:
                registry.failures.append(Failure(e.plugin, e.distribution,
                                                 f"{kind[:-1]} {entry_name!r} is registered by several plugins "
                                                 f"({owners}); none of them gets it until one is renamed"))
    return registry


def _is_hookimpl(function) -> bool:
    return hasattr(function, f"{ENTRY_POINT_GROUP}_impl")


def _hook_problems(pm, plugin) -> list:
    """Hooks a plugin implements that have no specification (misspelled), and cqplug_register_*
    functions that were never marked as hook implementations."""
    problems = []
    for caller in pm.get_hookcallers(plugin) or []:
        if not caller.has_spec():
            known = ", ".join(sorted(n for n in dir(hookspecs) if n.startswith("cqplug_")))
            problems.append(f"implements unknown hook {caller.name!r} (misspelled?); the hooks are: {known}")
    for attr in dir(plugin):
        if attr.startswith("cqplug_register_") and callable(getattr(plugin, attr)) \
                and not _is_hookimpl(getattr(plugin, attr)):
            problems.append(f"{attr} is not decorated with @cqplug.hookimpl, so it is never called")
    return problems


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
