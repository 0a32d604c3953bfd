"""cqplug: exact classical–quantum (CQ) dynamics.

    import cqplug
    problem = cqplug.Problem("toy", {"lam": 1.0, "gamma_c": 0.25, "gamma_q": 0.25}, t_final=3.0)
    result = cqplug.solve(problem, method="cq", trajectories=20_000, seed=1)
    result.mean("q2"), result.stderr("q2"), result.bias("q2")

The package is organised as the flow of a run: ``model`` (models, channels, states) ->
``problem`` (a model made concrete, the positivity trade-off, the unravellings' noise terms) ->
``system`` (the backend-neutral compiled SDE and the time step) -> ``solving`` (solve, the
ensemble driver, executors, running scans) -> ``results`` (statistics, results and scans, their
metadata and files, datasets, comparison, figures, records) -> ``filtering`` (the quantum state
conditioned on a recorded classical path, its likelihood);
``registry`` and ``hookspecs`` are the plugin system, ``cli`` the command line. Names are
imported on first use, so ``import cqplug`` (and registering a plugin) stays cheap.
"""

import importlib

from .deprecation import install_module_aliases
from .hookspecs import hookimpl

__version__ = "0.4.0"
install_module_aliases()  # cqplug 0.1's module paths (cqplug.plugins, cqplug.codegen, ...), with a warning

_EXPORTS = {
    "BackendUnavailable": ".errors", "CQPlugError": ".errors", "InvalidProblem": ".errors",
    "PositivityViolation": ".errors", "UnknownName": ".errors", "RunFailed": ".errors", "PluginFailed": ".errors",
    "Model": ".model", "Observable": ".model", "Parameter": ".model", "pauli_matrices": ".model",
    "ClassicalDecoherence": ".model", "QuantumDephasing": ".model", "ClassicalLindblad": ".model",
    "QuantumLindblad": ".model", "GaussianState": ".model", "Linear": ".model", "Quadratic": ".model",
    "InitialState": ".model", "coherent_state": ".model", "product_state": ".model", "qubit_state": ".model",
    "wave_packet": ".model",
    "Problem": ".problem",
    "Result": ".results.result", "solve": ".solving.solve", "DEFAULT_BACKEND": ".solving.solve",
    "Scan": ".results.scan", "scan": ".solving.scan", "load": ".results.files", "RunInfo": ".results.metadata",
    "Record": ".results.records", "save_records": ".results.records", "load_records": ".results.records",
    "filter": ".filtering", "loglikelihood": ".filtering", "FilterResult": ".filtering",
    "likelihood_profile": ".filtering", "maximum_likelihood": ".filtering",
}

# `from cqplug import *` leaves Python's built-in filter alone; cqplug.filter is still the hybrid filter
__all__ = ["__version__", "hookimpl", *sorted(set(_EXPORTS) - {"filter"})]


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cqplug' has no attribute {name!r}")


def __dir__():
    return sorted({*__all__, *_EXPORTS})
