"""The physics the project is about: where mean-field fails and CQ dynamics does not.

Page–Geilker (Delta = 0, qubit in |+>, oscillator in its ground state): the exact position
distribution at t = pi has two peaks at q = -+2 lam / (m omega^2); CQ reproduces it, mean-field
keeps one peak at q = 0. Stern–Gerlach: the branches separate by the force. A classical mediator
cannot entangle two qubits. The anharmonic model's CQ description is flagged and its error is
measurable. Mean-field is exact when nothing couples C and Q.
"""

import math

import numpy as np
import pytest

import cqplug
from cqplug.analysis.quantum_info import negativity, pauli_strings, state_from_pauli_strings

from .helpers import assert_agrees, zscores

pytestmark = pytest.mark.statistical
pytest.importorskip("qutip")

BINS, RANGE, N = 40, (-5.0, 5.0), 100_000


@pytest.fixture(scope="module")
def distributions():
    problem = cqplug.Problem("toy", t_final=math.pi, save_dt=math.pi / 4)
    common = dict(bins=BINS, hist_range={"q": RANGE}, progress=False)
    exact = cqplug.solve(problem, "lindblad", **common).histograms["q"]
    cq = cqplug.solve(problem, "cq", trajectories=N, seed=5, **common)
    mf = cqplug.solve(problem, "mean-field", trajectories=N, seed=5, **common)
    return exact, cq.histograms["q"], mf.histograms["q"]


def _binomial_z(h, exact):
    p, n = exact["probability"][-1], h["trajectories"]
    keep = p > 1e-4
    return (h["probability"][-1][keep] - p[keep]) / np.sqrt(p[keep] * (1 - p[keep]) / n)


def _peaks(h):
    centres = 0.5 * (h["edges"][1:] + h["edges"][:-1])
    prob = h["probability"][-1]
    left, right = centres < 0, centres > 0
    return centres[left][np.argmax(prob[left])], centres[right][np.argmax(prob[right])], centres, prob


def _assert_bimodal_at_plus_minus_2(h):
    q_left, q_right, centres, prob = _peaks(h)
    width = (RANGE[1] - RANGE[0]) / BINS
    assert abs(q_left + 2) <= width and abs(q_right - 2) <= width  # -+2 lam / (m omega^2)
    assert prob[np.abs(centres) < width].max() < 0.6 * prob.max()  # a dip between the peaks


def test_page_geilker_cq_histogram_matches_the_exact_bimodal_distribution(distributions):
    exact, cq, _ = distributions
    _assert_bimodal_at_plus_minus_2(exact)
    z = _binomial_z(cq, exact)
    assert np.abs(z).max() < 4.5, f"max |z| = {np.abs(z).max():.1f}"
    _assert_bimodal_at_plus_minus_2(cq)


def test_page_geilker_mean_field_has_one_peak_at_zero_and_fails(distributions):
    exact, _, mf = distributions
    _, _, centres, prob = _peaks(mf)
    assert abs(centres[np.argmax(prob)]) < 0.5
    assert prob[np.argmin(np.abs(centres - 2))] < 0.1 * prob.max()
    assert np.abs(_binomial_z(mf, exact)).max() > 20


def test_stern_gerlach_branches_separate_by_force():
    """The exact position distribution splits into peaks at -+ b t^2 / (2 m) (spin up / down)."""
    b, m, t = 1.5, 1.0, 2.0
    problem = cqplug.Problem("stern-gerlach", {"b": b, "m": m, "gamma_q": b**2 / (16 * 0.25)}, t_final=t, save_dt=t)
    h = cqplug.solve(problem, "cq", trajectories=100_000, seed=14, bins=48, hist_range={"x": (-6.0, 6.0)},
                     progress=False).histograms["x"]
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
    quantum = cqplug.solve(closed, "lindblad", tolerance=1e-5, progress=False)
    assert max(_negativity_bound(quantum, i)[0] for i in range(len(quantum.times))) > 0.45
    open_cq = cqplug.Problem("mediated-qubits", {"lam": lam, "gamma_c": gamma_c, "gamma_q": lam**2 / (8 * gamma_c)},
                             t_final=t, save_dt=t / 16)
    exact = cqplug.solve(open_cq, "lindblad", tolerance=1e-5, progress=False)
    assert max(_negativity_bound(exact, i)[0] for i in range(len(exact.times))) < 1e-6
    cq = cqplug.solve(open_cq, "cq", trajectories=30_000, seed=15, progress=False)
    for i in range(len(cq.times)):
        value, bound = _negativity_bound(cq, i)
        assert value <= bound + 1e-12, f"t = {cq.times[i]}: negativity {value:.4f} > statistical bound {bound:.4f}"
        assert bound < 0.1 * 0.45  # tight enough to have seen the entanglement


def test_anharmonic_is_flagged_and_its_error_measured():
    """kappa q^4 drops a Moyal term: the description says approximate, and the error is visible
    but small."""
    approx = cqplug.Problem("anharmonic", t_final=3.0, save_dt=0.25)
    assert not approx.exact and "degree 4" in approx.approximations[0]
    result = cqplug.solve(approx, "cq", trajectories=300_000, seed=16, progress=False)
    reference = cqplug.solve(approx, "lindblad", tolerance=1e-5, progress=False)
    z = zscores(result, reference, "sx")
    assert np.abs(z).max() > 5  # the approximation is measurable ...
    assert np.abs(result.mean("sx") - reference.mean("sx")).max() < 0.02  # ... and small here
    assert result.step_error().lower < 1  # ... and it is not the step error


@pytest.mark.parametrize("model, uncoupled", [("mediated-qubits", {"lam": 0.0}),
                                              ("two-oscillators", {"lam1": 0.0, "lam2": 0.0})])
def test_mean_field_is_exact_without_coupling(model, uncoupled):
    """With the couplings and C's decoherence off, mean-field is exact: C's observables within 4
    standard errors, Q's (the same on every trajectory) to the reference's accuracy."""
    problem = cqplug.Problem(model, {"gamma_c": 0.0} | uncoupled, t_final=2.0, save_dt=0.25)
    reference = cqplug.solve(problem, "lindblad", tolerance=1e-5, progress=False)
    result = cqplug.solve(problem, "mean-field", trajectories=20_000, seed=13, progress=False)
    assert_agrees(result, reference)
