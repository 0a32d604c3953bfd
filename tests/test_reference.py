"""The exact reference: closed forms (physics.md §6), the truncation (estimated, converged, refused
up front), distributions, stiff rates, exact states."""

import numpy as np
import pytest

import cqplug
from cqplug.errors import CQPlugError

pytestmark = pytest.mark.integration
pytest.importorskip("qutip")


def closed_forms(t, lam, gamma_c):
    """Delta = 0, vacuum (x) |+>, m = omega = 1."""
    q2 = 0.5 + lam**2 * (1 - np.cos(t)) ** 2 + gamma_c * (t - np.sin(2 * t) / 2)
    qsz = -lam * (1 - np.cos(t))
    return q2, qsz


@pytest.mark.parametrize("lam,gamma_c,gamma_q", [(1.0, 0.25, 0.25), (0.7, 0.4, 0.2)])
def test_lindblad_matches_closed_forms(lam, gamma_c, gamma_q):
    problem = cqplug.Problem("toy", {"lam": lam, "gamma_c": gamma_c, "gamma_q": gamma_q}, t_final=6.0, save_dt=0.5)
    ref = cqplug.solve(problem, "lindblad", progress=False)
    q2, qsz = closed_forms(problem.times, lam, gamma_c)
    np.testing.assert_allclose(ref.mean("q2"), q2, atol=1e-6, rtol=0)
    np.testing.assert_allclose(ref.mean("qsz"), qsz, atol=1e-6, rtol=0)
    assert ref.info.details["truncation_change"] <= 1e-6 and ref.info.details["truncation"] < 80


def test_fixed_small_truncation_shows_artefacts():
    problem = cqplug.Problem("toy", t_final=6.0, save_dt=0.5)
    q2, _ = closed_forms(problem.times, 1.0, 0.25)
    coarse = cqplug.solve(problem, "lindblad", truncation=12, progress=False)
    assert np.abs(coarse.mean("q2") - q2).max() > 1e-3  # truncation matters, so automatic selection is tested


def test_a_truncation_out_of_reach_is_refused_up_front():
    problem = cqplug.Problem("stern-gerlach", t_final=6 * np.pi)
    with pytest.raises(CQPlugError, match=r"estimated Fock truncation is N = \d+ .*Shorten t_final.*truncation=N"):
        cqplug.solve(problem, "lindblad", progress=False)


def test_every_built_in_model_reaches_its_reference_at_its_default_t_final():
    for name in ("toy", "stern-gerlach", "mediated-qubits", "anharmonic"):
        result = cqplug.solve(cqplug.Problem(name, save_dt=None), "lindblad", progress=False)
        assert result.info.details["truncation_change"] <= 1e-6, name


def test_position_distribution_is_normalised_and_centred():
    problem = cqplug.Problem("toy", {"q0": 1.5, "p0": -1.0, "lam": 0.0}, t_final=1.0, save_dt=0.5)
    ref = cqplug.solve(problem, "lindblad", bins=80, hist_range={"q": (-10, 10), "p": (-10, 10)}, progress=False)
    for var in ("q", "p"):
        h = ref.histograms[var]
        centres = 0.5 * (h["edges"][1:] + h["edges"][:-1])
        np.testing.assert_allclose(h["probability"].sum(axis=1), 1.0, atol=1e-8)
        np.testing.assert_allclose(h["probability"] @ centres, ref.mean(var), atol=2e-3)
    np.testing.assert_allclose(ref.mean("q"), 1.5 * np.cos(problem.times) - np.sin(problem.times), atol=1e-7)


def test_stiff_dephasing_uses_a_stiff_solver():
    """gamma_q t_final = 2e3: <sigma_x> = exp(-4 gamma_q t) exactly with lam = 0."""
    problem = cqplug.Problem("toy", {"lam": 0.0, "gamma_q": 1000.0}, t_final=2.0, save_dt=0.001)
    ref = cqplug.solve(problem, "lindblad", truncation=10, progress=False)
    np.testing.assert_allclose(ref.mean("sx")[:5], np.exp(-4000 * problem.times[:5]), atol=1e-7)


def test_exact_states_have_unit_trace():
    problem = cqplug.Problem("toy", t_final=1.0, save_dt=0.5)
    from cqplug_lindblad.reference import LindbladReference

    rho, N, scale = LindbladReference().states(problem, truncation=20)
    assert rho.shape == (3, 40, 40) and N == 20 and scale == pytest.approx(1.0)
    np.testing.assert_allclose(np.trace(rho, axis1=1, axis2=2).real, 1.0, atol=1e-9)


def test_the_search_ends_at_the_largest_truncation_allowed_and_says_what_it_saw():
    # max_states = 80 states allow N = 40 Fock states for the qubit's d = 2 (the estimate is 35); a tolerance
    # no truncation meets makes the search go there (not stop one step short of it) and report the last change
    problem = cqplug.Problem("toy", t_final=0.5)
    with pytest.raises(CQPlugError, match=r"within 80 states: from N = 3\d to 40 Fock states .* changed by .*"
                                          r"max_states=\d+"):
        cqplug.solve(problem, "lindblad", progress=False, tolerance=1e-300, max_states=80)
