"""Old spellings keep working for at least one minor release, each with one DeprecationWarning.

The policy (docs/plugins.md, "Stability"): a name or signature that plugins use changes only
through a shim that keeps the old spelling working and warns, once per process, naming the new
spelling and the release that removes the old one. :func:`deprecated` is that warning;
:data:`MOVED_MODULES` are the module paths of cqplug 0.1 that moved in 0.2 (importing the old path
gives the new module); the registry's deprecated names are registered by their plugins with
:func:`deprecated_alias`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import inspect
import sys
import warnings

SINCE = "0.3.0"
REMOVED_IN = "0.4.0"

MOVED_MODULES = {  # cqplug 0.1 module -> where it lives since 0.2
    "cqplug.plugins": "cqplug.registry",
    "cqplug.codegen": "cqplug.system.phase_space",
    "cqplug.channels": "cqplug.model.channels",
    "cqplug.states": "cqplug.model.states",
    "cqplug.methods": "cqplug.solving.methods",
    "cqplug.terms": "cqplug.problem.terms",
    "cqplug.positivity": "cqplug.problem.tradeoff",
    "cqplug.backend": "cqplug.solving.backend",
    "cqplug.ensemble": "cqplug.solving.ensemble",
    "cqplug.executors": "cqplug.solving.executors",
    "cqplug.options": "cqplug.solving.options",
    "cqplug.progress": "cqplug.solving.progress",
    "cqplug.statistics": "cqplug.results.statistics",
    "cqplug.compare": "cqplug.results.compare",
    "cqplug.result": "cqplug.results.result",
    "cqplug.plotting": "cqplug.results.plotting",
    "cqplug.quantum_info": "cqplug.analysis.quantum_info",
    "cqplug.wigner": "cqplug.analysis.wigner",
}

_warned: set = set()


def deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn (once per process) that ``old`` is deprecated in favour of ``new``."""
    if old in _warned:
        return
    _warned.add(old)
    warnings.warn(f"{old} is deprecated since cqplug {SINCE} and will be removed in {REMOVED_IN}; use {new}",
                  DeprecationWarning, stacklevel=stacklevel)


def deprecated_alias(old: str, new: str, factory):
    """A factory registered under the old name ``old``: it warns, then calls ``factory`` (the new name's)."""

    def alias(**options):
        deprecated(f"the name {old!r}", repr(new))
        return factory(**options)

    alias.__doc__ = f"Deprecated alias of {new!r} (removed in cqplug {REMOVED_IN})."
    alias.__signature__ = inspect.signature(factory)  # bad options stay bad input, checked before the call
    return alias


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports a 0.1 module path as the module that replaced it, with the warning."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED_MODULES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        deprecated(f"module {spec.name}", f"module {MOVED_MODULES[spec.name]}", stacklevel=6)
        return importlib.import_module(MOVED_MODULES[spec.name])

    def exec_module(self, module):
        """Nothing to run: the module is the new one, already imported."""


def install_module_aliases() -> None:
    if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModules())
