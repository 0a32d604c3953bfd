"""Mean-field fails where it should (the Page–Geilker set-up); CQ gets the branches right.

Delta = 0, qubit in |+>, oscillator in its ground state: the exact position distribution at
t = pi has two peaks at q = -+2 lam / (m omega^2) (one per sigma_z eigenvalue); mean-field keeps
one peak at q = 0.
"""

import math

import numpy as np
import pytest

import cqplug

pytest.importorskip("qutip")

BINS, RANGE, N = 40, (-5.0, 5.0), 100_000


@pytest.fixture(scope="module")
def distributions():
    problem = cqplug.Problem("toy", t_final=math.pi, save_dt=math.pi / 4)
    common = dict(bins=BINS, hist_range={"q": RANGE})
    exact = cqplug.solve(problem, "lindblad", **common).histograms["q"]
    cq = cqplug.solve(problem, "cq", trajectories=N, seed=5, dt=2e-3, **common)
    mf = cqplug.solve(problem, "mean-field", trajectories=N, seed=5, dt=2e-3, **common)
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


def test_exact_distribution_is_bimodal_at_plus_minus_2(distributions):
    _assert_bimodal_at_plus_minus_2(distributions[0])


def test_cq_histogram_matches_exact_distribution(distributions):
    exact, cq, _ = distributions
    z = _binomial_z(cq, exact)
    assert np.abs(z).max() < 4.5, f"max |z| = {np.abs(z).max():.1f}"
    _assert_bimodal_at_plus_minus_2(cq)


def test_mean_field_has_one_peak_at_zero_and_fails(distributions):
    exact, _, mf = distributions
    _, _, centres, prob = _peaks(mf)
    assert abs(centres[np.argmax(prob)]) < 0.5
    assert prob[np.argmin(np.abs(centres - 2))] < 0.1 * prob.max()
    assert np.abs(_binomial_z(mf, exact)).max() > 20
