"""Validation at problem construction: positivity trade-off, parameters, states, exactness."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import cqplug
from cqplug.errors import InvalidProblem, PositivityViolation

from .models import spin_oscillator


@pytest.mark.parametrize("lam,gamma_c,gamma_q", [(1.0, 0.25, 0.2), (2.0, 0.5, 0.3), (0.5, 0.01, 1.0)])
def test_violation_is_refused_with_the_minimum_rate(lam, gamma_c, gamma_q):
    assert 16 * gamma_c * gamma_q < lam**2
    with pytest.raises(PositivityViolation) as err:
        cqplug.Problem("toy", {"lam": lam, "gamma_c": gamma_c, "gamma_q": gamma_q})
    message = str(err.value)
    min_gamma_q = lam**2 / (16 * gamma_c)  # physics.md §2
    min_gamma_c = lam**2 / (16 * gamma_q)
    assert f"gamma_q must be >= {min_gamma_q:.6g}" in message
    assert f"gamma_c must be >= {min_gamma_c:.6g}" in message


def test_no_classical_decoherence_names_the_classical_rate_needed():
    with pytest.raises(PositivityViolation, match=f"gamma_c must be >= {1 / (16 * 0.5):.6g}") as err:
        cqplug.Problem("toy", {"gamma_c": 0.0, "gamma_q": 0.5})
    assert "gamma_q must be" not in str(err.value)  # no dephasing rate can fix a missing diffusion


@pytest.mark.parametrize("seed", range(5))
def test_tradeoff_ratio_is_16_gc_gq_over_lam2(seed):
    rng = np.random.default_rng(seed)
    lam, gc = rng.uniform(0.2, 2), rng.uniform(0.05, 1)
    gq = lam**2 / (16 * gc) * rng.uniform(1, 3)
    problem = cqplug.Problem("toy", {"lam": lam, "gamma_c": gc, "gamma_q": gq})
    assert problem.tradeoff.ratio == pytest.approx(16 * gc * gq / lam**2, rel=1e-9)


def test_require_cq_false_admits_the_reference_but_not_the_unravellings(tmp_path):
    """Closed dynamics (gamma = 0): the lindblad reference and mean-field accept it, cq refuses it
    with the same minimum-rate message; the CLI does the same for --method lindblad."""
    closed = cqplug.Problem("toy", {"gamma_c": 0.0, "gamma_q": 0.0}, t_final=1.0, require_cq=False)
    assert not closed.tradeoff.valid and "BELOW the threshold" in closed.summary()
    with pytest.raises(PositivityViolation, match="method 'cq': not a valid CQ dynamics"):
        cqplug.solve(closed, "cq", trajectories=10)
    mean_field = cqplug.solve(closed, "mean-field", trajectories=500, seed=1, progress=False)
    assert np.all(mean_field.stderr("sz") < 1e-12)  # no noise at all: only z0 is sampled, sz stays 0
    out = tmp_path / "closed.json"
    run = subprocess.run([sys.executable, "-m", "cqplug.cli", "run", "toy", "--method", "lindblad", "-p", "gamma_c=0",
                          "-p", "gamma_q=0", "--t-final", "1", "-o", str(out)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    t = cqplug.Result.load(out).times  # closed forms of physics.md §6 with gamma_c = 0
    np.testing.assert_allclose(cqplug.Result.load(out).mean("q2"), 0.5 + (1 - np.cos(t)) ** 2, atol=1e-5)


def test_saturation_is_reported():
    assert cqplug.Problem("toy").tradeoff.saturated  # defaults: 16 * 0.25 * 0.25 = 1 = lam^2
    assert not cqplug.Problem("toy", {"gamma_q": 0.3}).tradeoff.saturated


def test_cli_refuses_violation_with_exit_2_and_writes_nothing(tmp_path):
    out = tmp_path / "result.json"
    run = subprocess.run([sys.executable, "-m", "cqplug.cli", "run", "toy", "-p", "gamma_q=0.1", "-o", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "gamma_q must be >= 0.25" in run.stderr
    assert not out.exists()


@pytest.mark.parametrize("args,fragment", [
    (["-p", "bogus=1"], "has no parameter 'bogus'"),
    (["-p", "lam=abc"], "parameter lam must be a number"),
    (["-p", "lam"], "expected NAME=VALUE"),
    (["--trajectories", "many"], "invalid int value"),
    (["-p", "gamma_c=-1"], "negative"),
    (["--method", "nope"], "available methods"),
    (["--backend", "nope"], "available backends"),
    (["--trajectories", "0"], "trajectories must be a positive integer"),
    (["--dt", "-1"], "dt must be a positive number"),
    (["--t-final", "0"], "t_final must be a positive number"),
])
def test_cli_bad_input_one_line_exit_2(args, fragment, tmp_path):
    run = subprocess.run([sys.executable, "-m", "cqplug.cli", "run", "toy", *args, "-o", str(tmp_path / "r.json")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert fragment in run.stderr and run.stderr.strip().count("\n") == 0
    assert not (tmp_path / "r.json").exists()


def test_check_command_reports_ratio_and_exactness():
    run = subprocess.run([sys.executable, "-m", "cqplug.cli", "check", "toy", "-p", "gamma_q=0.5"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0
    assert "trade-off ratio" in run.stdout and ": 2\n" in run.stdout
    assert "EXACT" in run.stdout and "strictly above" in run.stdout


def test_anharmonic_model_is_flagged_as_approximation():
    problem = cqplug.Problem(spin_oscillator(kind="anharmonic"))
    assert not problem.exact
    assert "degree 4" in problem.approximations[0]
    assert cqplug.Problem(spin_oscillator()).exact


def test_nonlinear_coupling_is_refused():
    with pytest.raises(InvalidProblem, match="must be linear in z"):
        cqplug.Problem(spin_oscillator(kind="nonlinear-coupling"))


def test_negative_wigner_initial_state_is_refused():
    qutip = pytest.importorskip("qutip")
    model = spin_oscillator(initial_state=lambda p: cqplug.InitialState(qutip.fock(20, 1), np.array([1, 0])))
    with pytest.raises(InvalidProblem, match="Wigner function reaches -0.3"):
        cqplug.Problem(model)


def test_uncertainty_violating_gaussian_is_refused():
    with pytest.raises(InvalidProblem, match="uncertainty relation"):
        cqplug.GaussianState([0, 0], np.diag([0.1, 0.1]))


def test_non_hermitian_operator_is_refused():
    with pytest.raises(InvalidProblem, match="not Hermitian"):
        spin_oscillator(couplings=[("lam*q", np.array([[0, 1], [0, 0]]))])


def test_unknown_symbol_in_hamiltonian_is_refused():
    with pytest.raises(InvalidProblem, match=r"unknown symbol\(s\) \['x'\]"):
        spin_oscillator(classical_hamiltonian="p**2/2 + x**2")


def test_unnormalised_qubit_state_is_refused():
    model = spin_oscillator(initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(), np.array([1, 1])))
    with pytest.raises(InvalidProblem, match="norm 1.41421"):
        cqplug.Problem(model)


def test_time_grid_hits_t_final_and_includes_zero():
    problem = cqplug.Problem("toy", t_final=math.pi, save_dt=0.3)
    assert problem.times[0] == 0 and problem.times[-1] == pytest.approx(math.pi)
    assert np.diff(problem.times).max() <= 0.3 + 1e-12


def test_result_json_contract(tmp_path):
    out = tmp_path / "r.json"
    run = subprocess.run([sys.executable, "-m", "cqplug.cli", "run", "toy", "-n", "600", "--t-final", "0.5",
                          "--dt", "0.01", "--seed", "4", "-o", str(out), "-q"], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    data = json.loads(out.read_text())
    assert set(data["observables"]) >= {"q", "p", "q2", "p2", "sx", "sy", "sz", "qsz"}
    for obs in data["observables"].values():
        assert len(obs["mean"]) == len(obs["stderr"]) == len(data["times"])
    assert data["info"]["seed"] == 4 and data["info"]["trajectories"] == 600 and data["info"]["partial"] is False


def test_product_state_orders_coordinates_then_momenta():
    a = cqplug.coherent_state(1.0, 2.0, m=2.0, omega=1.0)  # Var q = 1/4, Var p = 1
    b = cqplug.wave_packet(-3.0, 0.5, sigma_q=0.5)          # Var q = 1/4, Var p = 1
    both = cqplug.product_state(a, cqplug.GaussianState([-3.0, 0.5], np.diag([0.25, 2.0])))
    np.testing.assert_allclose(both.mean, [1.0, -3.0, 2.0, 0.5])  # (q1, q2, p1, p2)
    np.testing.assert_allclose(both.covariance, np.diag([0.25, 0.25, 1.0, 2.0]))
    np.testing.assert_allclose(b.covariance, np.diag([0.25, 1.0]))
