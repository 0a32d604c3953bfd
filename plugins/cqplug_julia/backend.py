"""The "julia" backend: the standard-form SDE integrated by StochasticDiffEq on Julia threads.

``prepare`` prints the system's phase-space functions for Julia (:class:`JuliaPrinter`), loads
them once per distinct source (``CQPlug.load_model`` memoises, so a second solve of a model
compiles nothing), and packs the :class:`~cqplug.system.standard_form.StandardForm` matrices —
the same ones the jax backend's generic solver integrates in CI — as Julia-ordered arrays. Each
block is one EnsembleProblem on EnsembleThreads returning every trajectory's values (and, with
the step error on, those of the coarse solve on the same Brownian path), which core reduces.
Blocks run one at a time from Python; Julia's threads do the parallel work, and results depend
on the seed, not on the number of threads (within one resolved Julia Manifest).

A trajectory that leaves the numbers (a NaN or a classical variable beyond the divergence bound,
checked after every step in Julia) is stopped there and counted, by kind; the block then raises
:class:`TrajectoryDiverged` as the other backends do. An interruption that reaches Julia during a
block (its InterruptException, or Python's KeyboardInterrupt raised in a callback) becomes a
KeyboardInterrupt here, so core keeps the blocks finished before it.
"""

from __future__ import annotations

import re

import numpy as np

from cqplug.errors import CQPlugError
from cqplug.solving.backend import Backend, Runner, Trajectories, TrajectoryDiverged
from cqplug.solving.interrupts import Terminated
from cqplug.system.phase_space import JuliaPrinter
from cqplug.system.standard_form import expectation_forms, standard_form
from cqplug.system.step_plan import DIVERGENCE_BOUND

from . import bridge

SOLVERS = {"DRI1": 2, "RI5": 2, "EM": 1}  # name: weak order (general non-commuting noise, fixed step)


def julia_arrays(system) -> dict:
    """The numbers CQPlug.ensemble_values reads, as float64 arrays in Julia's index order
    (stacks of matrices with the stack index last)."""
    form = standard_form(system)

    def stack(a):  # (k, ...) -> (..., k)
        return np.ascontiguousarray(np.moveaxis(np.asarray(a, dtype=float), 0, -1))

    if system.state == "ket":
        initial, cumulative = np.array([form.pack([], k) for k in system.kets]), system.ket_cumulative
    else:
        initial, cumulative = form.pack([], system.rho0)[None], np.ones(1)
    f64 = np.ascontiguousarray
    return dict(
        params=f64(system.parameters, dtype=float), ket=system.state == "ket", m=form.m, sigma=f64(form.sigma),
        force=f64(form.force), A0=f64(form.A0), A=stack(form.A), G=stack(form.G), expect_L=stack(form.expect_L),
        expect_C=stack(form.expect_C), expect_B=stack(expectation_forms(system.state, system.observable_operators)),
        trace=f64(form.trace), z_mean=f64(system.z_mean, dtype=float), z_root=f64(system.z_root, dtype=float),
        x_initial=stack(initial), cumulative=f64(cumulative, dtype=float), saveat=f64(system.times, dtype=float),
        bound=float(DIVERGENCE_BOUND))


def julia_source(system) -> str:
    """hamilton!, couplings! and observables! of the system, in Julia."""
    printer = JuliaPrinter()
    return "\n".join(printer.function(getattr(system, name), system.n_z, len(system.parameters))
                     for name in ("hamilton", "couplings", "observables"))


class JuliaBackend(Backend):
    states = ("density", "ket")
    threads = False  # juliacall is driven from one Python thread; Julia threads parallelise

    def __init__(self, solver: str = "DRI1"):
        if solver not in SOLVERS:
            raise CQPlugError(f"backend 'julia': solver must be one of {', '.join(SOLVERS)}, got {solver!r} (other "
                              "StochasticDiffEq solvers need diagonal or commutative noise, or are not reproducible "
                              "per seed)")
        self.solver = solver

    @property
    def weak_order(self):
        return SOLVERS[self.solver]

    def check_available(self) -> None:
        bridge.load()

    def prepare(self, system) -> JuliaRunner:
        jl = bridge.load()
        model = jl.load_model(julia_source(system))
        return JuliaRunner(jl, model, system, self.solver)


class JuliaRunner(Runner):
    def __init__(self, jl, model, system, solver: str):
        self.jl, self.model, self.system, self.solver = jl, model, system, solver
        self.arrays = julia_arrays(system)

    def run(self, blocks: list, histogram, n_paths: int) -> list:
        a, s = self.arrays, self.system
        out = []
        for block in blocks:
            seed = int(block.seed.generate_state(1, dtype=np.uint64)[0] >> np.uint64(2))
            try:
                values, coarse, z, failed = self.jl.ensemble_values(
                    self.model, a["params"], a["ket"], a["m"], a["sigma"], a["force"], a["A0"], a["A"], a["G"],
                    a["expect_L"], a["expect_C"], a["expect_B"], a["trace"], a["z_mean"], a["z_root"],
                    a["x_initial"], a["cumulative"], a["saveat"], trajectories=int(block.trajectories), seed=seed,
                    dt=float(s.dt), solver=self.solver, step_error=bool(s.step_error), bound=a["bound"])
            except Exception as exc:  # a JuliaError: an interruption, or say which solver and step failed
                raise_interruption(exc)
                raise CQPlugError(f"julia backend ({self.solver}, dt = {s.dt:.3g}) failed: {exc}") from exc
            classical, quantum = (int(n) for n in failed)
            if classical:
                raise TrajectoryDiverged.classical(s)
            if quantum:
                raise TrajectoryDiverged.quantum(s, f" in {quantum} of {block.trajectories} trajectories "
                                                    f"(Julia, {self.solver}, projected after every step)")
            values = values.to_numpy().transpose(2, 1, 0)  # Julia (K, times, n) -> (n, times, K)
            out.append(Trajectories(values, coarse.to_numpy().transpose(2, 1, 0) if s.step_error else None,
                                    z.to_numpy().transpose(2, 1, 0)))
        return out


def raise_interruption(exc: Exception) -> None:
    """Re-raise an interruption that crossed into Julia as what it was: SIGTERM as Terminated,
    Ctrl-C (Julia's InterruptException or Python's KeyboardInterrupt in a callback) as
    KeyboardInterrupt; any other error returns."""
    text = f"{type(exc).__name__}: {exc}"
    names = set(re.findall(r"(?<![.\w])(Terminated|InterruptException|KeyboardInterrupt)\b", text))
    if "Terminated" in names:  # SIGTERM raised in a Python callback (not, say, ReturnCode.Terminated)
        raise Terminated() from exc
    if names:
        raise KeyboardInterrupt() from exc
