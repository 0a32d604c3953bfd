"""CQ trajectories reproduce the exact open-quantum dynamics (the project's central claim).

Every observable at every saved time must lie within 4 standard errors of the QuTiP reference,
and each run is checked to have the power to detect a bug shifting an observable by 1 % of its
range over the run (see helpers.assert_power).
"""

import numpy as np
import pytest

import cqplug

from .helpers import assert_agrees, assert_power
from .test_reference import closed_forms

pytest.importorskip("qutip")

SETS = {
    "saturated, delta=0": {},
    "above threshold, delta=1": {"delta": 1.0, "gamma_q": 0.5},
    "displaced, saturated, delta=1.5": {"q0": 1.0, "p0": -0.5, "delta": 1.5, "theta": 0.6,
                                        "gamma_c": 0.3, "gamma_q": 1 / (16 * 0.3)},
    "m=0.5, omega=2, above threshold": {"m": 0.5, "omega": 2.0, "lam": 1.2, "gamma_c": 0.3, "gamma_q": 0.35,
                                        "theta": 0.5, "phi": 0.3, "delta": 2.0},
}
TRAJECTORIES = 500_000  # sized so that the power check (1 % of the range >= 4 stderr) passes
DT = 2e-3


@pytest.fixture(scope="module", params=list(SETS))
def problem_and_reference(request):
    problem = cqplug.Problem("toy", SETS[request.param], t_final=3.0, save_dt=0.25)
    return problem, cqplug.solve(problem, "lindblad")


@pytest.mark.slow
@pytest.mark.parametrize("method", ["cq", "cq-ket"])
def test_cq_matches_lindblad(problem_and_reference, method):
    problem, reference = problem_and_reference
    result = cqplug.solve(problem, method, trajectories=TRAJECTORIES, seed=2026, dt=DT)
    assert_power(result, reference)
    assert_agrees(result, reference)


@pytest.mark.slow
def test_cq_matches_closed_forms():
    problem = cqplug.Problem("toy", {"gamma_q": 0.4}, t_final=3.0, save_dt=0.25)
    result = cqplug.solve(problem, "cq", trajectories=200_000, seed=7, dt=DT)
    q2, qsz = closed_forms(problem.times, 1.0, 0.25)
    for name, exact in (("q2", q2), ("qsz", qsz)):
        err = result.stderr(name)
        ok = err > 0
        assert np.all(np.abs(result.mean(name)[ok] - exact[ok]) < 4 * err[ok]), name
        assert 0.01 * np.ptp(exact) > 4 * err.max()
