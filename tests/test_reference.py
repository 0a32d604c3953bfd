"""The exact reference: closed forms (physics.md §6), truncation control, distributions."""

import numpy as np
import pytest

import cqplug

pytest.importorskip("qutip")


def closed_forms(t, lam, gamma_c):
    """Delta = 0, vacuum (x) |+>, m = omega = 1."""
    q2 = 0.5 + lam**2 * (1 - np.cos(t)) ** 2 + gamma_c * (t - np.sin(2 * t) / 2)
    qsz = -lam * (1 - np.cos(t))
    return q2, qsz


@pytest.mark.parametrize("lam,gamma_c,gamma_q", [(1.0, 0.25, 0.25), (0.7, 0.4, 0.2)])
def test_lindblad_matches_closed_forms(lam, gamma_c, gamma_q):
    problem = cqplug.Problem("toy", {"lam": lam, "gamma_c": gamma_c, "gamma_q": gamma_q}, t_final=6.0, save_dt=0.5)
    ref = cqplug.solve(problem, "lindblad")
    q2, qsz = closed_forms(problem.times, lam, gamma_c)
    np.testing.assert_allclose(ref.mean("q2"), q2, atol=1e-6, rtol=0)
    np.testing.assert_allclose(ref.mean("qsz"), qsz, atol=1e-6, rtol=0)
    assert ref.info["truncation_change"] <= 1e-6


def test_fixed_small_truncation_shows_artefacts():
    problem = cqplug.Problem("toy", t_final=6.0, save_dt=0.5)
    q2, _ = closed_forms(problem.times, 1.0, 0.25)
    coarse = cqplug.solve(problem, "lindblad", truncation=12)
    assert np.abs(coarse.mean("q2") - q2).max() > 1e-3  # truncation matters, so auto-selection is tested above


def test_position_distribution_is_normalised_and_centred():
    problem = cqplug.Problem("toy", {"q0": 1.5, "p0": -1.0, "lam": 0.0}, t_final=1.0, save_dt=0.5)
    ref = cqplug.solve(problem, "lindblad", bins=80, hist_range={"q": (-10, 10), "p": (-10, 10)})
    for var in ("q", "p"):
        h = ref.histograms[var]
        centres = 0.5 * (h["edges"][1:] + h["edges"][:-1])
        np.testing.assert_allclose(h["probability"].sum(axis=1), 1.0, atol=1e-8)
        np.testing.assert_allclose(h["probability"] @ centres, ref.mean(var), atol=2e-3)
    # free evolution of a coherent state: <q>(t) = q0 cos t + p0 sin t
    np.testing.assert_allclose(ref.mean("q"), 1.5 * np.cos(problem.times) - np.sin(problem.times), atol=1e-7)
