"""Solving: the entry point (:mod:`.solve`), methods, options, the backend contract, the ensemble
driver, executors, interruptions, multilevel Monte Carlo and parameter scans (:mod:`.scan`).

The public names are ``cqplug.solve``, ``cqplug.scan`` and ``cqplug.Scan``; this package exports
none itself, because its submodules ``solve`` and ``scan`` would shadow functions of those names.
"""
