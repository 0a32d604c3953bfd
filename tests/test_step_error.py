"""Exact means exact: stiff rates at the default step, the step-error estimate against the true
bias, the warning, Richardson extrapolation and multilevel Monte Carlo to a target error."""

import numpy as np
import pytest

import cqplug

from .helpers import assert_agrees, zscores

pytestmark = pytest.mark.statistical
pytest.importorskip("qutip")


@pytest.fixture(scope="module")
def biased():
    """The toy above threshold at a step 6x the automatic one: a visible O(dt^2) bias."""
    problem = cqplug.Problem("toy", {"delta": 1.0, "gamma_q": 0.5}, t_final=3.0, save_dt=0.5)
    reference = cqplug.solve(problem, "lindblad", progress=False)
    return problem, reference, cqplug.solve(problem, "cq", trajectories=400_000, seed=11, dt=0.125, progress=False)


@pytest.mark.parametrize("method", ["cq", "cq-ket"])
def test_issue_11_extreme_dephasing_is_exact_at_the_default_step(method):
    """lam = 0, gamma_q = 1e6 (gamma dt ~ 6e4): <sigma_x> = exp(-4 gamma_q t) = 0 after t = 0, and the
    oscillator diffuses freely: <q^2> = 1/2 + gamma_c (t - sin 2t / 2), <p^2> = 1/2 + gamma_c (t + sin 2t / 2)."""
    problem = cqplug.Problem("toy", {"lam": 0.0, "gamma_q": 1e6}, t_final=2.0, save_dt=0.25)
    result = cqplug.solve(problem, method, trajectories=1_800_000, seed=3, progress=False)
    assert result.info.dt > 0.01  # the default step, not one resolving the dephasing
    t = problem.times
    assert result.mean("sx")[0] == pytest.approx(1.0)
    if method == "cq":  # the density matrix dephases exactly on every trajectory
        np.testing.assert_allclose(result.mean("sx")[1:], 0.0, atol=1e-12)
    else:  # each ket keeps a random phase: zero on average
        assert np.all(np.abs(result.mean("sx")[1:]) < 4 * result.stderr("sx")[1:])
    for name, exact in (("q2", 0.5 + 0.25 * (t - np.sin(2 * t) / 2)), ("p2", 0.5 + 0.25 * (t + np.sin(2 * t) / 2))):
        err = result.stderr(name)
        assert np.all(np.abs(result.mean(name)[1:] - exact[1:]) < 4 * err[1:]), name
        assert 0.01 * np.ptp(exact) > 4 * err.max()  # a 1 % error would show


def test_the_step_error_estimate_catches_a_visible_bias(biased):
    problem, reference, result = biased
    z = {n: zscores(result, reference, n) for n in result.observables}
    assert max(np.abs(v).max() for v in z.values()) > 6  # the bias is really there ...
    found = result.step_error()
    assert found.lower > 1  # ... and the run says so
    for name in result.observables:  # the (conservative) estimate covers the true deviation
        deviation = np.abs(result.mean(name) - reference.mean(name))
        cover = np.abs(result.bias(name)) + 4 * np.hypot(result.stderr(name), result.bias_stderr(name))
        assert np.all(deviation <= cover + 1e-12), name


def test_extrapolation_removes_the_bias(biased):
    problem, reference, fine = biased
    extrapolated = cqplug.solve(problem, "cq", trajectories=400_000, seed=11, dt=0.125, extrapolate=True,
                                progress=False)
    assert extrapolated.info.extrapolated and extrapolated.step_error() is None
    worst_fine = max(np.abs(zscores(fine, reference, n)).max() for n in fine.observables)
    worst = max(np.abs(zscores(extrapolated, reference, n)).max() for n in fine.observables)
    assert worst < 4.5 and worst < worst_fine / 2


def test_a_step_error_above_the_statistical_error_is_warned_about(cli, tmp_path):
    run = cli("run", "toy", "-p", "delta=1", "-p", "gamma_q=0.5", "--t-final", "3", "--save-dt", "0.5", "--dt", "0.25",
              "-n", "200000", "--seed", "11", "-q", "-o", tmp_path / "r.json")
    assert run.code == 0 and (tmp_path / "r.json").exists()
    assert "WARNING: step error" in run.err and "--dt" in run.err
    quiet = cli("run", "toy", "-n", "2000", "--seed", "1", "-q")
    assert quiet.code == 0 and "WARNING" not in quiet.err and "step error (dt =" in quiet.out


def test_quasi_static_coherence_under_strong_dephasing_is_flagged_and_covered():
    """delta = 1 with gamma_q = 50 (the Zeno regime): the split step's O(dt / Gamma) error in the tiny
    quasi-static <sigma_x> is far above its minute statistical error; the run must say so, and the
    deviation must stay within statistics plus twice the reported step error (a splitting loses
    order on stiff parts, so the estimate is kept conservative)."""
    problem = cqplug.Problem("toy", {"delta": 1.0, "gamma_q": 50.0}, t_final=1.0, save_dt=0.125)
    reference = cqplug.solve(problem, "lindblad", progress=False)
    result = cqplug.solve(problem, "cq", trajectories=200_000, seed=2026, progress=False)
    from cqplug.results.compare import step_error_line

    line, acceptable = step_error_line(result)
    assert not acceptable and "WARNING" in line
    for name in result.observables:
        deviation = np.abs(result.mean(name) - reference.mean(name))
        cover = 2 * np.abs(result.bias(name)) + 4 * np.hypot(result.stderr(name), result.bias_stderr(name))
        assert np.all(deviation <= cover + 1e-9), name


@pytest.mark.parametrize(
    "model, params", [("toy", {"delta": 1.0, "gamma_q": 0.5}), ("mediated-qubits", {"delta": 0.7})]
)
def test_target_error_is_reached(model, params):
    problem = cqplug.Problem(model, params, t_final=2.0, save_dt=0.25)
    reference = cqplug.solve(problem, "lindblad", progress=False)
    spans = [np.ptp(reference.mean(n)) for n in reference.observables]
    target = 0.01 * min(s for s in spans if s > 0.05)
    result = cqplug.solve(problem, "cq", target_error=target, seed=5, progress=False)
    assert result.info.multilevel and len(result.info.levels) >= 2 and result.info.reached
    levels = result.info.levels
    assert levels[1]["trajectories"] < levels[0]["trajectories"]  # corrections need few trajectories
    for name in result.observables:  # the total error is within the target (to 4/1 sigma slack)
        deviation = np.abs(result.mean(name) - reference.mean(name))
        assert np.all(deviation <= target + 3 * result.stderr(name)), name
    assert_agrees(result, reference, threshold=4.5)
