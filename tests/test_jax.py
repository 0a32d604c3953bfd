"""The jax backend: the same compiled system as cpu, integrated by XLA (issue 15).

Its exactness against QuTiP (toy cq and cq-ket, a d = 4 model), its agreement with the cpu
backend (two-oscillators), the seed contract, compile-once, and diffrax's Euler-Maruyama on the
standard form — the equations the julia backend integrates — against the exact solution.
"""

import numpy as np
import pytest

import cqplug
from cqplug.errors import BackendUnavailable, CQPlugError
from cqplug.registry import get_registry
from cqplug.system import compile_system
from cqplug.system.standard_form import standard_form

from .helpers import assert_agrees, assert_power
from .test_standard_form import numpy_function, random_state

jax = pytest.importorskip("jax")
pytest.importorskip("diffrax")


def exact(problem):
    pytest.importorskip("qutip")
    return cqplug.solve(problem, "lindblad", progress=False)


@pytest.mark.unit
@pytest.mark.parametrize("model, method_name", [("toy", "cq"), ("toy", "cq-ket"), ("two-oscillators", "cq"),
                                                ("two-oscillators", "cq-ket"), ("mediated-qubits", "cq")])
def test_jax_standard_form_is_the_numpy_one(model, method_name):
    """generic.py's jnp lines evaluate StandardForm.drift / diffusion (tested against the SDE)."""
    from cqplug_jax.backend import _configure
    from cqplug_jax.constants import generic_constants
    from cqplug_jax.generic import Structure, standard_form_functions
    from cqplug_jax.split_step import printed_functions

    from cqplug.system.phase_space import JaxPrinter

    _configure()
    system = compile_system(cqplug.Problem(model), get_registry().method(method_name))
    form = standard_form(system)
    source = "\n".join(JaxPrinter().function(getattr(system, f), system.n_z, len(system.parameters))
                       for f in ("hamilton", "couplings", "observables"))
    constants = {k: jax.numpy.asarray(v) for k, v in generic_constants(system).items()}
    drift, diffusion, *_ = standard_form_functions(Structure(system, source, "euler"), printed_functions(source),
                                                   constants)
    hamilton, couplings = numpy_function(system.hamilton, system), numpy_function(system.couplings, system)
    rng = np.random.default_rng(7)
    for _ in range(2):
        u = form.pack(*random_state(system, rng))
        np.testing.assert_allclose(drift(0.0, u, None), form.drift(u, hamilton, couplings), atol=1e-12, rtol=1e-11)
        np.testing.assert_allclose(diffusion(0.0, u, None), form.diffusion(u), atol=1e-12, rtol=1e-11)


@pytest.mark.unit
def test_bad_backend_options_are_refused_before_work():
    with pytest.raises(CQPlugError, match="solver must be one of cq, euler"):
        cqplug.solve(cqplug.Problem("toy"), "cq", backend="jax", solver="rk4", progress=False)
    with pytest.raises(BackendUnavailable, match="no 'tpu' device"):
        cqplug.solve(cqplug.Problem("toy"), "cq", backend="jax", device="tpu", progress=False)
    with pytest.raises(CQPlugError, match="blocks must be a positive integer"):
        cqplug.solve(cqplug.Problem("toy"), "cq", backend="jax", blocks=0, progress=False)
    with pytest.raises(BackendUnavailable, match="expected a platform and an optional index"):
        cqplug.solve(cqplug.Problem("toy"), "cq", backend="jax", device="cpu:first", progress=False)
    with pytest.raises(BackendUnavailable, match="device 'cpu:7' does not exist"):
        cqplug.solve(cqplug.Problem("toy"), "cq", backend="jax", device="cpu:7", progress=False)


@pytest.mark.integration
def test_statistics_reduced_on_the_device_are_the_trajectories():
    """Block moments and histograms from the device equal those of the kept paths (one partial block)."""
    problem = cqplug.Problem("toy", t_final=1.0, save_dt=0.25)
    r = cqplug.solve(problem, "cq", backend="jax", trajectories=300, n_paths=300, seed=4, progress=False)
    for name in r.observables:
        paths = r.sample_paths[name]
        assert paths.shape[0] == 300
        np.testing.assert_allclose(r.mean(name), paths.mean(axis=0), atol=1e-13)
        np.testing.assert_allclose(r.stderr(name), paths.std(axis=0, ddof=1) / np.sqrt(300), atol=1e-13)
    q = r.sample_paths["z"][:, -1, 0]
    histogram = r.histograms["q"]
    np.testing.assert_allclose(histogram["probability"][-1] * 300, np.histogram(q, bins=histogram["edges"])[0])
    assert histogram["underflow"][-1] * 300 == np.sum(q < histogram["edges"][0])


@pytest.mark.integration
def test_result_depends_on_the_seed_not_on_the_batch_size():
    problem = cqplug.Problem("toy", t_final=1.0, save_dt=0.25)
    one = cqplug.solve(problem, "cq", backend="jax", blocks=1, trajectories=1300, seed=9, progress=False)
    four = cqplug.solve(problem, "cq", backend="jax", blocks=4, trajectories=1300, seed=9, progress=False)
    for name in one.observables:
        np.testing.assert_allclose(one.mean(name), four.mean(name), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(one.stderr(name), four.stderr(name), rtol=1e-10, atol=1e-14)
    other = cqplug.solve(problem, "cq", backend="jax", blocks=4, trajectories=1300, seed=10, progress=False)
    assert not np.allclose(one.mean("q"), other.mean("q"))


@pytest.mark.integration
def test_a_second_solve_with_new_numbers_does_not_recompile():
    from cqplug_jax import backend

    problem = cqplug.Problem("toy", t_final=1.0, save_dt=0.25)
    cqplug.solve(problem, "cq", backend="jax", trajectories=512, seed=1, progress=False)
    compiled = dict(backend._COMPILED)
    sizes = {k: f._cache_size() for k, f in compiled.items()}
    cqplug.solve(problem.remake(lam=0.7, gamma_c=0.3, gamma_q=0.2), "cq", backend="jax", trajectories=512, seed=2,
                 dt=0.01, progress=False)
    assert backend._COMPILED.keys() == compiled.keys()
    assert {k: f._cache_size() for k, f in backend._COMPILED.items()} == sizes


JAX_CASES = [  # (model, parameters, t_final, method, trajectories, observables with 1 % power)
    ("toy", {}, 1.5, "cq", 700_000, ["q2", "p2", "qsz"]),
    ("toy", {"delta": 1.0, "gamma_q": 0.5}, 1.5, "cq-ket", 600_000, ["q2", "sx", "qsz"]),
    ("mediated-qubits", {"delta": 0.7}, 2.0, "cq", 100_000, ["XI", "IX", "XX"]),
]


@pytest.mark.statistical
@pytest.mark.parametrize("model, params, t_final, method, trajectories, power", JAX_CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in JAX_CASES])
def test_jax_matches_lindblad(model, params, t_final, method, trajectories, power):
    problem = cqplug.Problem(model, params, t_final=t_final, save_dt=0.25)
    result = cqplug.solve(problem, method, backend="jax", trajectories=trajectories, seed=2026, progress=False)
    reference = exact(problem)
    assert_power(result, reference, names=power)
    assert_agrees(result, reference)


@pytest.mark.statistical
def test_jax_agrees_with_cpu_on_two_oscillators():
    """Different streams, same law: every observable's difference within 4 combined standard errors,
    with the power to see 1 % of its range."""
    problem = cqplug.Problem("two-oscillators", t_final=2.0, save_dt=0.25)
    a = cqplug.solve(problem, "cq", backend="cpu", trajectories=750_000, seed=1, progress=False)
    b = cqplug.solve(problem, "cq", backend="jax", trajectories=750_000, seed=2, progress=False)
    for name in ("q1", "q2", "sz", "sx", "q1sz"):
        combined = np.hypot(a.stderr(name), b.stderr(name))
        z = (a.mean(name)[1:] - b.mean(name)[1:]) / combined[1:]
        assert np.abs(z).max() < 4, f"{name}: cpu and jax differ by {np.abs(z).max():.1f} sigma"
        if name != "sx":  # <sigma_x> varies by only 0.017 here: 1 % of that is out of reach
            span = np.ptp(a.mean(name))
            assert 0.01 * span > 4 * combined.max(), f"{name}: too few trajectories to see a 1 % difference"


EULER_CASES = [  # (model, parameters, method, dt, (observables, fraction) with that power): the standard
    # form's density, ket and non-commuting lines
    ("toy", {"delta": 1.0, "gamma_q": 0.5}, "cq", 2.5e-3, (["sx"], 0.01)),
    ("toy", {"delta": 1.0, "gamma_q": 0.5}, "cq-ket", 2.5e-3, (["sx"], 0.02)),
    ("two-oscillators", {}, "cq", 2.5e-3, (["sz", "q1sz"], 0.04)),
    ("mediated-qubits", {"delta": 0.7}, "cq-ket", 5e-3, (["XI", "IX", "XX"], 0.02)),
]


@pytest.mark.statistical
@pytest.mark.parametrize("model, params, method, dt, power", EULER_CASES, ids=[f"{c[0]}-{c[2]}" for c in EULER_CASES])
def test_standard_form_with_euler_matches_lindblad(model, params, method, dt, power):
    """Euler-Maruyama (weak order 1) on the standard form: within 4 standard errors plus the run's
    own step-error estimate, which must itself be small — the equations are right, not just noisy.

    Power: the matrices themselves are checked against the complex-matrix equations to 1e-12
    (test_standard_form.py); what this checks is the solver, the projection and the coupled
    Brownian path. A shift of 1-4 % of the range of the listed quantum observables is >= 4
    standard errors (the classical second moments only at 5-30 %: their z-equation is the split
    step's, whose exactness tests have 1 % power)."""
    problem = cqplug.Problem(model, params, t_final=1.0, save_dt=0.25)
    result = cqplug.solve(problem, method, backend="jax", solver="euler", trajectories=20_000, dt=dt, seed=3,
                          progress=False)
    reference = exact(problem)
    assert result.info.weak_order == 1
    names, fraction = power
    assert_power(result, reference, fraction=fraction, names=names)
    for name in reference.observables:
        error = np.abs(result.mean(name) - reference.mean(name))
        allowed = 4 * result.stderr(name) + np.abs(result.bias(name)) + 4 * result.bias_stderr(name) + 1e-9
        assert np.all(error <= allowed), f"{name}: {error.max():.4f} above {allowed[np.argmax(error / allowed)]:.4f}"
        span = np.ptp(reference.mean(name))
        assert np.abs(result.bias(name)).max() < max(0.02 * span, 2 * result.stderr(name).max())
