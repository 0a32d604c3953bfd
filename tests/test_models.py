"""The built-in models beyond the toy: exact ones reproduce the lindblad reference on every
method that claims to; the d = 4 and n = 2 models run on every method with no model-specific
code; a classical mediator never entangles two qubits; the anharmonic model is flagged and its
error measured.

Power: every observable must agree within 4 standard errors; the observables that carry each
model's physics (POWER) are also checked to detect a 1 % shift of their range (helpers.assert_power).
Second moments such as <q^2> have large trajectory variance and get the 4-sigma check only.
"""

import numpy as np
import pytest

import cqplug
from cqplug.quantum_info import negativity, pauli_strings, state_from_pauli_strings

from .helpers import assert_agrees, assert_power, julia_or_skip, zscores

pytest.importorskip("qutip")

DT = 2e-3
EXACT = {  # model: (parameters, t_final, trajectories for cq, observables with 1 % power)
    "stern-gerlach": ({}, 2.0, 350_000, ["x2", "p2", "sx"]),
    "mediated-qubits": ({}, 2.0, 100_000, ["XI", "IX", "XX"]),
    "two-oscillators": ({}, 2.0, 200_000, ["q1", "sz", "q1sz"]),
}
BACKENDS = ["cpu", pytest.param("julia", marks=pytest.mark.julia)]


def _problem(model, **overrides):
    params, t_final, _, _ = EXACT[model]
    return cqplug.Problem(model, params | overrides, t_final=t_final, save_dt=0.25)


@pytest.fixture(scope="module")
def references():
    return {model: cqplug.solve(_problem(model), "lindblad", tolerance=1e-5) for model in EXACT}


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("model", list(EXACT))
def test_cq_matches_lindblad(model, backend, references):
    if backend == "julia":
        julia_or_skip()
    trajectories, power = EXACT[model][2:]
    result = cqplug.solve(_problem(model), "cq", backend=backend, trajectories=trajectories, seed=11, dt=DT)
    assert_power(result, references[model], names=power)
    assert_agrees(result, references[model])


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mediated-qubits", "two-oscillators"])
def test_ket_unravelling_matches_lindblad(model, references):
    result = cqplug.solve(_problem(model), "cq-ket", trajectories=50_000, seed=12, dt=DT)
    assert_agrees(result, references[model])


@pytest.mark.parametrize("model, uncoupled", [("mediated-qubits", {"lam": 0.0}),
                                              ("two-oscillators", {"lam1": 0.0, "lam2": 0.0})])
def test_mean_field_is_exact_without_coupling(model, uncoupled):
    """With the couplings and C's decoherence off (mean-field has no diffusion) mean-field is
    exact: C's observables within 4 standard errors; Q's, the same on every trajectory, to the
    quantum step's deterministic O(dt) error (~1e-4 at dt = 2e-3)."""
    problem = _problem(model, gamma_c=0.0, **uncoupled)
    reference = cqplug.solve(problem, "lindblad", tolerance=1e-5)
    result = cqplug.solve(problem, "mean-field", trajectories=20_000, seed=13, dt=DT)
    sampled = [o.name for o in problem.observables if o.classical.free_symbols]  # depend on z
    assert_agrees(result, reference, names=sampled)
    for name in set(reference.observables) - set(sampled):
        np.testing.assert_allclose(result.mean(name), reference.mean(name), atol=5e-4, err_msg=name)


def test_stern_gerlach_branches_separate_by_force():
    """The exact position distribution splits into peaks at -+ b t^2 / (2 m) (spin up / down)."""
    b, m, t = 1.5, 1.0, 2.0
    problem = cqplug.Problem("stern-gerlach", {"b": b, "m": m, "gamma_q": b**2 / (16 * 0.25)}, t_final=t, save_dt=t)
    h = cqplug.solve(problem, "cq", trajectories=100_000, seed=14, dt=DT, bins=48,
                     hist_range={"x": (-6.0, 6.0)}).histograms["x"]
    centres = 0.5 * (h["edges"][1:] + h["edges"][:-1])
    prob = h["probability"][-1]
    width = centres[1] - centres[0]
    expected = b * t**2 / (2 * m)
    assert abs(centres[centres < 0][np.argmax(prob[centres < 0])] + expected) <= 1.5 * width
    assert abs(centres[centres > 0][np.argmax(prob[centres > 0])] - expected) <= 1.5 * width


def _negativity_bound(result, i):
    """Negativity of the Pauli-tomography state at saved time i and a 4-sigma bound on how far
    statistical error alone can push it (|delta lambda| <= sum_P |delta <P>| / 4, ||P|| = 1)."""
    labels = pauli_strings(2)
    rho = state_from_pauli_strings({k: result.mean(k)[i] for k in labels}, 2)
    return negativity(rho), sum(4 * result.stderr(k)[i] for k in labels) / 4


def test_classical_mediator_does_not_entangle():
    """lam = 0.35 to t = 2 pi: the closed quantum dynamics makes a Bell pair (negativity -> 0.5);
    the exact open dynamics at the trade-off, and its CQ unravelling, keep the qubits separable."""
    lam, gamma_c, t = 0.35, 0.25, 2 * np.pi
    closed = cqplug.Problem("mediated-qubits", {"lam": lam, "gamma_c": 0.0, "gamma_q": 0.0}, t_final=t,
                            save_dt=t / 16, require_cq=False)
    quantum = cqplug.solve(closed, "lindblad", tolerance=1e-5)
    quantum_negativity = max(_negativity_bound(quantum, i)[0] for i in range(len(quantum.times)))
    assert quantum_negativity > 0.45
    open_cq = cqplug.Problem("mediated-qubits", {"lam": lam, "gamma_c": gamma_c, "gamma_q": lam**2 / (8 * gamma_c)},
                             t_final=t, save_dt=t / 16)
    exact = cqplug.solve(open_cq, "lindblad", tolerance=1e-5)
    assert max(_negativity_bound(exact, i)[0] for i in range(len(exact.times))) < 1e-6
    cq = cqplug.solve(open_cq, "cq", trajectories=30_000, seed=15, dt=DT)
    for i in range(len(cq.times)):
        value, bound = _negativity_bound(cq, i)
        assert value <= bound, f"t = {cq.times[i]}: negativity {value:.4f} > statistical bound {bound:.4f}"
        assert bound < 0.1 * quantum_negativity  # tight enough to have seen the entanglement


def test_cq_models_with_two_couplings_need_twice_the_decoherence():
    """Both qubits push one oscillator: the trade-off is 8 gamma_c gamma_q >= lam^2."""
    with pytest.raises(cqplug.PositivityViolation, match=r"gamma_q must be >= 0\.125 "):
        cqplug.Problem("mediated-qubits", {"lam": 0.5, "gamma_c": 0.25, "gamma_q": 0.1})
    cqplug.Problem("mediated-qubits", {"lam": 0.5, "gamma_c": 0.25, "gamma_q": 0.125})


def test_anharmonic_is_flagged_and_its_error_measured():
    """kappa q^4 drops a Moyal term: `check` says approximate; the error is visible but small,
    and vanishes at kappa = 0 (where the model is the toy)."""
    approx = cqplug.Problem("anharmonic", t_final=3.0, save_dt=0.25)
    assert not approx.exact and "degree 4" in approx.approximations[0]
    assert cqplug.Problem("anharmonic", {"kappa": 0.0}).exact is False  # the symbolic degree is still 4
    result = cqplug.solve(approx, "cq", trajectories=200_000, seed=16, dt=DT)
    reference = cqplug.solve(approx, "lindblad", tolerance=1e-5)
    z = zscores(result, reference, "sx")
    assert np.abs(z).max() > 5  # the approximation is measurable ...
    assert np.abs(result.mean("sx") - reference.mean("sx")).max() < 0.02  # ... and small here
