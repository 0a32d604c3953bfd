"""How to test a cqplug model plugin: registration, the trade-off, and exactness against the
fully quantum reference, judged by standard errors (z-scores) with enough trajectories."""

import numpy as np
import pytest

import cqplug
from cqplug.registry import get_registry


def test_the_entry_point_registers_the_model():
    assert "spin-one" in get_registry().names("models")


def test_too_little_decoherence_is_refused_with_the_minimum():
    with pytest.raises(cqplug.PositivityViolation, match=r"gamma_q must be >= 0\.5 "):
        cqplug.Problem("spin-one", {"lam": 1.0, "gamma_c": 0.125, "gamma_q": 0.25})


def test_cq_trajectories_reproduce_the_exact_dynamics():
    pytest.importorskip("qutip")
    problem = cqplug.Problem("spin-one", {"delta": 0.7, "gamma_q": 0.4}, t_final=2.0, save_dt=0.25)
    exact = cqplug.solve(problem, "lindblad", tolerance=1e-5)
    result = cqplug.solve(problem, "cq", trajectories=100_000, seed=1)  # the automatic time step
    for name in ("Sx", "Sz", "Sz2", "qSz", "q"):
        z = (result.mean(name)[1:] - exact.mean(name)[1:]) / result.stderr(name)[1:]
        assert np.abs(z).max() < 4, f"{name}: max |z| = {np.abs(z).max():.1f}"
    # power: a bug shifting <S_x> by 1 % of its range would be >= 4 standard errors
    assert 0.01 * np.ptp(exact.mean("Sx")) > 4 * result.stderr("Sx").max()
