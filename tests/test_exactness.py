"""CQ trajectories reproduce the exact open-quantum dynamics (the project's central claim), at the
automatic time step, for every exact model and method: one table.

Each case: every observable at every saved time within 4 standard errors of the QuTiP reference;
the run has the power to see a bug shifting the listed observables by 1 % of their range
(helpers.assert_power); and its own (conservative) step-error estimate at the automatic dt is not
significantly above three standard errors even for these large ensembles. Models not designed
around the toy: issue 11's stiff dephasing (gamma dt >> 1 at the default dt), d = 3 and 4, a
momentum coupling with omega != 1, non-commuting couplings, issue 11's two-qubit model.
"""

import numpy as np
import pytest

import cqplug

from .helpers import assert_agrees, assert_power, assert_step_error_small
from .models import momentum_coupled, qubit_chain, spin_one, two_qubit_sum

pytestmark = pytest.mark.statistical
pytest.importorskip("qutip")

PROBLEMS = {  # name: (model, parameters, t_final, save_dt)
    "toy saturated": ("toy", {}, 3.0, 0.25),
    "toy above threshold, delta=1": ("toy", {"delta": 1.0, "gamma_q": 0.5}, 3.0, 0.25),
    "toy displaced": (
        "toy",
        {"q0": 1.0, "p0": -0.5, "delta": 1.5, "theta": 0.6, "gamma_c": 0.3, "gamma_q": 1 / (16 * 0.3)},
        3.0,
        0.25,
    ),
    "toy m=0.5 omega=2": (
        "toy",
        {"m": 0.5, "omega": 2.0, "lam": 1.2, "gamma_c": 0.3, "gamma_q": 0.35, "theta": 0.5, "phi": 0.3, "delta": 2.0},
        3.0,
        0.25,
    ),
    "issue 11: gamma_q = 3e4": ("toy", {"gamma_q": 3e4}, 1.0, 0.125),
    "momentum coupling, omega=1.3": (momentum_coupled, {}, 2.0, 0.25),
    "stern-gerlach": ("stern-gerlach", {"gamma_q": 0.4}, 2.0, 0.25),
    "spin-1 (d=3)": (spin_one, {}, 2.0, 0.25),
    "mediated qubits (d=4)": ("mediated-qubits", {"delta": 0.7}, 2.0, 0.25),
    "two-qubit sum (d=4)": (two_qubit_sum, {}, 2.0, 0.25),
    "two oscillators (non-commuting)": ("two-oscillators", {}, 2.0, 0.25),
    "qubit chain (d=8, looped kernel)": (lambda: qubit_chain(3, lam=0.6), {"gamma_q": 0.6**2 / 4 * 1.5}, 1.0, 0.125),
}

CASES = [  # (problem, method, trajectories, observables with 1 % power); sizes ~1.3x what the power needs
    ("toy saturated", "cq", 550_000, ["q2", "qsz", "p2"]),
    ("toy saturated", "cq-ket", 550_000, ["q2", "qsz", "p2"]),
    ("toy above threshold, delta=1", "cq", 500_000, ["q2", "sx", "qsz"]),
    ("toy above threshold, delta=1", "cq-ket", 500_000, ["q2", "sx", "qsz"]),
    ("toy displaced", "cq", 300_000, ["q", "p", "sx", "sz", "qsz"]),
    ("toy m=0.5 omega=2", "cq", 600_000, ["q2", "sx", "sz"]),
    ("toy m=0.5 omega=2", "cq-ket", 600_000, ["q2", "sx", "sz"]),
    ("issue 11: gamma_q = 3e4", "cq", 2_300_000, ["q2", "p2", "qsz"]),
    ("issue 11: gamma_q = 3e4", "cq-ket", 2_300_000, ["q2", "p2", "qsz"]),
    ("momentum coupling, omega=1.3", "cq", 550_000, ["x", "k", "sz", "ksx"]),
    ("momentum coupling, omega=1.3", "cq-ket", 550_000, ["x", "k", "sz", "ksx"]),
    ("stern-gerlach", "cq", 400_000, ["x2", "p2", "sx"]),
    ("spin-1 (d=3)", "cq", 1_100_000, ["Sx", "Sz2", "qSz"]),
    ("mediated qubits (d=4)", "cq", 100_000, ["XI", "IX", "XX"]),
    ("mediated qubits (d=4)", "cq-ket", 100_000, ["XI", "IX", "XX"]),
    ("two-qubit sum (d=4)", "cq", 420_000, ["IX", "ZZ"]),
    ("two oscillators (non-commuting)", "cq", 250_000, ["q1", "sz", "q1sz"]),
    ("two oscillators (non-commuting)", "cq-ket", 250_000, ["q1", "sz"]),
    ("qubit chain (d=8, looped kernel)", "cq", 60_000, []),
    ("qubit chain (d=8, looped kernel)", "cq-ket", 60_000, []),
]

_PROBLEMS, _REFERENCES = {}, {}


def problem_and_reference(name):
    if name not in _PROBLEMS:
        model, params, t_final, save_dt = PROBLEMS[name]
        model = model() if callable(model) else model
        _PROBLEMS[name] = problem = cqplug.Problem(model, params, t_final=t_final, save_dt=save_dt)
        _REFERENCES[name] = cqplug.solve(problem, "lindblad", progress=False)
    return _PROBLEMS[name], _REFERENCES[name]


@pytest.mark.parametrize("name, method, trajectories, power", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_cq_matches_lindblad(name, method, trajectories, power):
    problem, reference = problem_and_reference(name)
    result = cqplug.solve(problem, method, trajectories=trajectories, seed=2026, progress=False)
    assert_power(result, reference, names=power)
    assert_agrees(result, reference)
    assert_step_error_small(result, sigmas=3.0)  # the automatic dt stays good for ensembles this large


def test_cq_matches_the_closed_forms():
    """Delta = 0, vacuum (x) |+>: <q^2> = 1/2 + lam^2 (1 - cos t)^2 + gamma_c (t - sin 2t / 2) and
    <q sigma_z> = -lam (1 - cos t) (physics.md §6), here above the threshold."""
    problem = cqplug.Problem("toy", {"gamma_q": 0.4}, t_final=3.0, save_dt=0.25)
    result = cqplug.solve(problem, "cq", trajectories=200_000, seed=7, progress=False)
    t = problem.times
    for name, exact in (("q2", 0.5 + (1 - np.cos(t)) ** 2 + 0.25 * (t - np.sin(2 * t) / 2)), ("qsz", -(1 - np.cos(t)))):
        err = result.stderr(name)
        ok = err > 0
        assert np.all(np.abs(result.mean(name)[ok] - exact[ok]) < 4 * err[ok]), name
        assert 0.01 * np.ptp(exact) > 4 * err.max()


@pytest.mark.parametrize("method", ["cq", "cq-ket"])
def test_looped_kernel_agrees_with_the_unrolled_one(method):
    """The two cpu kernels (straight-line code and loop nests) integrate the same system."""
    problem = cqplug.Problem("toy", {"gamma_q": 0.5}, t_final=2.0, save_dt=0.25)
    a = cqplug.solve(problem, method, trajectories=200_000, seed=1, progress=False)
    b = cqplug.solve(problem, method, trajectories=200_000, seed=2, kernel="looped", progress=False)
    for name in a.observables:
        err = np.hypot(a.stderr(name), b.stderr(name))
        ok = err > 1e-9
        assert np.all(np.abs(a.mean(name) - b.mean(name))[ok] < 4.5 * err[ok]), name
