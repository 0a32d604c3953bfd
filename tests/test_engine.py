"""The ensemble engine and the cpu kernels: the seed contract, stopping, interruption, divergence,
sample paths, the vectorisable math, the kernel cache."""

import subprocess
import sys
import time

import numpy as np
import pytest

import cqplug
from cqplug.errors import CQPlugError
from cqplug.registry import get_registry
from cqplug.solving.backend import BLOCK_SIZE
from cqplug.solving.ensemble import run_ensemble
from cqplug.solving.options import SolveOptions
from cqplug.system import compile_system

from .models import spin_oscillator

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def problem():
    return cqplug.Problem("toy", {"delta": 0.5, "gamma_q": 0.4}, t_final=1.0, save_dt=0.25)


def _stats(result):
    return [result.mean(k) for k in result.observables] + [result.stderr(k) for k in result.observables] + \
        [result.bias(k) for k in result.observables] + [h["probability"] for h in result.histograms.values()]


@pytest.mark.parametrize("method", ["cq", "cq-ket", "mean-field"])
def test_same_seed_same_bits_whatever_chunks_and_workers(problem, method):
    runs = [cqplug.solve(problem, method, trajectories=2300, seed=9, chunk_size=c, workers=w, progress=False)
            for c, w in ((512, 1), (1536, 2), (1024, 2), (2560, 1))]
    for other in runs[1:]:
        for a, b in zip(_stats(runs[0]), _stats(other)):
            assert np.array_equal(a, b)
        assert np.array_equal(runs[0].sample_paths["z"], other.sample_paths["z"])
    different = cqplug.solve(problem, method, trajectories=2300, seed=10, progress=False)
    assert not np.array_equal(runs[0].mean("q2"), different.mean("q2"))


def test_target_stderr_stops_early_and_deterministically(problem):
    target = 0.02
    runs = [cqplug.solve(problem, "cq", trajectories=50_000, seed=3, target_stderr=target, workers=w, progress=False)
            for w in (1, 2)]
    first = runs[0]
    assert first.info.trajectories < 50_000
    assert max(first.stderr(k).max() for k in first.observables) <= target
    assert runs[1].info.trajectories == first.info.trajectories
    shorter = cqplug.solve(problem, "cq", trajectories=first.info.trajectories - BLOCK_SIZE, seed=3, progress=False)
    assert max(shorter.stderr(k).max() for k in shorter.observables) > target  # one block fewer would not do


def test_interrupt_keeps_finished_blocks(problem, monkeypatch):
    from cqplug_cpu.backend import CPUBackend

    prepare = CPUBackend.prepare

    def interrupting_prepare(self, system):
        runner = prepare(self, system)
        run = runner.run

        def interrupted(blocks, *args):
            if any(b.index == 3 for b in blocks):
                raise KeyboardInterrupt
            return run(blocks, *args)

        runner.run = interrupted
        return runner

    monkeypatch.setattr(CPUBackend, "prepare", interrupting_prepare)
    partial = cqplug.solve(problem, "cq", trajectories=5000, seed=1, workers=1, progress=False)
    assert partial.partial and partial.info.trajectories == 3 * BLOCK_SIZE
    assert partial.info.interrupted_by == "SIGINT"
    monkeypatch.setattr(CPUBackend, "prepare", prepare)
    complete = cqplug.solve(problem, "cq", trajectories=3 * BLOCK_SIZE, seed=1, progress=False)
    for a, b in zip(_stats(partial), _stats(complete)):
        assert np.array_equal(a, b)


def test_an_ensemble_extended_later_equals_one_run_at_once(problem):
    method = get_registry().method("cq")
    system = compile_system(problem, method)
    backend = get_registry().backend("cpu")
    options = SolveOptions(progress=False)
    whole = run_ensemble(system, backend, options, seed=5, trajectories=4 * BLOCK_SIZE)
    head = run_ensemble(system, backend, options, seed=5, trajectories=2 * BLOCK_SIZE, histogram=whole.histogram)
    tail = run_ensemble(system, backend, options, seed=5, trajectories=2 * BLOCK_SIZE, first_block=2,
                        histogram=whole.histogram)
    joined = head.statistics.merge(tail.statistics)
    np.testing.assert_allclose(joined.mean, whole.statistics.mean, rtol=1e-12, atol=1e-15)  # merge order: rounding
    np.testing.assert_array_equal(joined.hist, whole.statistics.hist)


def test_a_potential_unbounded_below_is_reported_as_classical_divergence():
    model = spin_oscillator(kind="anharmonic")
    problem = cqplug.Problem(model, {"a": -0.5}, t_final=6.0)
    with pytest.raises(CQPlugError, match=r"classical variables \(q, p\) ran away.*unbounded below"):
        cqplug.solve(problem, "cq", trajectories=2000, seed=1, progress=False)


def test_sample_paths_show_branching_of_sigma_z():
    problem = cqplug.Problem("toy", t_final=6.0, save_dt=0.5)
    result = cqplug.solve(problem, "cq", trajectories=BLOCK_SIZE, seed=2, n_paths=8, progress=False)
    sz = result.sample_paths["sz"]
    assert sz.shape == (8, len(problem.times))
    assert np.all(sz[:, 0] == pytest.approx(0, abs=1e-12))
    assert np.mean(np.abs(sz[:, -1]) > 0.9) >= 0.75  # measurement drives each conditioned <sigma_z> to +-1
    np.testing.assert_allclose(result.sample_paths["z"][:, :, 0], result.sample_paths["q"], rtol=1e-12)


def test_vectorisable_math_is_accurate():
    from cqplug_cpu.fast_math import FAST, fast_exp, fast_sincos
    from numba import njit

    @njit(fastmath=FAST, error_model="numpy")
    def evaluate(x, e, c, s):
        for i in range(x.shape[0]):
            e[i] = fast_exp(x[i])
            c[i], s[i] = fast_sincos(x[i])

    x = np.random.default_rng(0).uniform(-700, 700, 20_000)
    e, c, s = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    evaluate(x, e, c, s)
    assert np.max(np.abs(e / np.exp(x) - 1)) < 1e-12
    assert np.max(np.abs(c - np.cos(x))) < 1e-10 and np.max(np.abs(s - np.sin(x))) < 1e-10


def test_compiled_kernels_are_reused_across_processes(tmp_path):
    """The second process loads the kernel Numba cached beside the generated module."""
    code = ("import time, cqplug; p = cqplug.Problem('toy', t_final=0.5); t = time.perf_counter(); "
            "r = cqplug.solve(p, 'cq', trajectories=512, seed=1, progress=False); print(r.info.compile_seconds)")
    env = dict(__import__("os").environ, CQPLUG_CACHE_DIR=str(tmp_path))
    first = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                 timeout=600, check=True).stdout)
    start = time.perf_counter()
    second = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                  timeout=600, check=True).stdout)
    assert list(tmp_path.glob("k_*.py")) and list(tmp_path.glob("__pycache__/*.nbi"))
    assert second < 0.5 * first, (first, second, time.perf_counter() - start)


def test_a_method_object_runs_unregistered_and_equals_its_registered_twin(problem):
    """A method object passed to solve needs no registry entry: it is named after its class, on the
    fixed-dt path and the multilevel one, and with the same seed it gives the registered cq's bits."""
    from cqplug.problem.terms import cq_terms
    from cqplug.solving.methods import TrajectoryMethod

    class MyUnravelling(TrajectoryMethod):
        def terms(self, problem):
            return cq_terms(problem)

    mine = cqplug.solve(problem, MyUnravelling(), trajectories=1024, seed=5, progress=False)
    registered = cqplug.solve(problem, "cq", trajectories=1024, seed=5, progress=False)
    assert mine.info.method == "MyUnravelling" and registered.info.method == "cq"
    for a, b in zip(_stats(mine), _stats(registered)):
        np.testing.assert_array_equal(a, b)
    multilevel = cqplug.solve(problem, MyUnravelling(), target_error=0.3, seed=5, progress=False)
    assert multilevel.info.method == "MyUnravelling" and multilevel.info.multilevel
