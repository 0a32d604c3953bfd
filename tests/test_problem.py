"""A model made concrete: the positivity trade-off and its refusal, the derived equations, remake,
the time grid, and input that must be refused with one clear line."""

import math

import numpy as np
import pytest
import sympy as sp

import cqplug
from cqplug.errors import InvalidProblem, PositivityViolation
from cqplug.problem.derivation import derive_problem

from .models import momentum_coupled, spin_oscillator

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("lam,gamma_c,gamma_q", [(1.0, 0.25, 0.2), (2.0, 0.5, 0.3), (0.5, 0.01, 1.0)])
def test_violation_is_refused_with_the_minimum_rates(lam, gamma_c, gamma_q):
    assert 16 * gamma_c * gamma_q < lam**2
    with pytest.raises(PositivityViolation) as err:
        cqplug.Problem("toy", {"lam": lam, "gamma_c": gamma_c, "gamma_q": gamma_q})
    message = str(err.value)
    assert f"gamma_q must be >= {lam**2 / (16 * gamma_c):.6g}" in message  # physics.md §2
    assert f"gamma_c must be >= {lam**2 / (16 * gamma_q):.6g}" in message


def test_minimum_rates_are_per_rate_with_the_others_fixed():
    """Two couplings, two dephasing rates: only the rate that is too small needs raising."""
    with pytest.raises(PositivityViolation) as err:
        cqplug.Problem("two-oscillators", {"gamma_1": 0.1})
    message = str(err.value)
    assert f"gamma_1 must be >= {0.6**2 / (16 * 0.05):.6g}" in message and "gamma_2 must be" not in message


def test_no_classical_decoherence_names_only_the_classical_rate():
    with pytest.raises(PositivityViolation, match=f"gamma_c must be >= {1 / (16 * 0.5):.6g}") as err:
        cqplug.Problem("toy", {"gamma_c": 0.0, "gamma_q": 0.5})
    assert "gamma_q must be" not in str(err.value)


@pytest.mark.parametrize("seed", range(4))
def test_tradeoff_ratio_is_16_gc_gq_over_lam2(seed):
    rng = np.random.default_rng(seed)
    lam, gc = rng.uniform(0.2, 2), rng.uniform(0.05, 1)
    gq = lam**2 / (16 * gc) * rng.uniform(1, 3)
    assert cqplug.Problem("toy", {"lam": lam, "gamma_c": gc, "gamma_q": gq}).tradeoff.ratio == \
        pytest.approx(16 * gc * gq / lam**2, rel=1e-9)


def test_derived_conditions_are_the_hand_derived_ones():
    lam, gc, gq = sp.symbols("lam gamma_c gamma_q", real=True)
    toy = derive_problem(cqplug.Problem("toy"))
    assert [sp.simplify(lhs - rhs - (16 * gc * gq - lam**2)) for lhs, rhs in toy.conditions] == [0]
    assert sp.simplify(toy.minimal[gq] - lam**2 / (16 * gc)) == 0
    assert toy.D2 == sp.Matrix([[0, 0], [0, 2 * gc]]) and toy.D1 == sp.Matrix([[0], [-lam / 2]])
    q, p, m, omega = sp.symbols("q p m omega", real=True)
    expectation = sp.Symbol("<sigma_z>")
    assert sp.simplify(toy.flow[1] - (-m * omega**2 * q - lam * expectation)) == 0  # physics.md §5
    mediated = derive_problem(cqplug.Problem("mediated-qubits"))
    assert [sp.simplify(lhs - rhs - (8 * gc * gq - lam**2)) for lhs, rhs in mediated.conditions] == [0]


def test_problem_is_computed_once_and_remade():
    problem = cqplug.Problem("toy", {"delta": 1.0}, t_final=2.0, save_dt=0.5)
    np.testing.assert_allclose(problem.D2, [[0, 0], [0, 0.5]])
    other = problem.remake(lam=0.5, gamma_q=0.1)
    assert other.params["lam"] == 0.5 and other.params["delta"] == 1.0 and other.t_final == 2.0
    assert problem.params["lam"] == 1.0  # the original is untouched
    with pytest.raises(PositivityViolation):
        problem.remake(gamma_q=0.01)
    assert problem.remake(gamma_q=0.01, require_cq=False).tradeoff.ratio < 1


def test_time_grid_includes_zero_and_refuses_a_save_dt_that_does_not_divide():
    problem = cqplug.Problem("toy", t_final=math.pi, save_dt=math.pi / 8)
    assert problem.times[0] == 0 and problem.times[-1] == pytest.approx(math.pi) and len(problem.times) == 9
    with pytest.raises(InvalidProblem, match=r"save_dt = 0.3 does not divide t_final = 1; use 0.25"):
        cqplug.Problem("toy", t_final=1.0, save_dt=0.3)


@pytest.mark.parametrize("args, kwargs, fragment", [
    (("toy", [("lam", 1)]), {}, "must be a dict"),
    (("toy",), {"t_final": "1"}, "t_final must be a positive number"),
    (("toy",), {"t_final": -1.0}, "t_final must be a positive number"),
    ((42,), {}, "expected a cqplug.Model"),
])
def test_python_api_rough_edges_give_one_line(args, kwargs, fragment):
    with pytest.raises(InvalidProblem, match=fragment):
        cqplug.Problem(*args, **kwargs)


def test_errors_inside_a_models_initial_state_are_reported_as_invalid_problems():
    def broken(p):
        raise ZeroDivisionError("division by zero in my model")

    with pytest.raises(InvalidProblem, match="initial_state.*ZeroDivisionError: division by zero in my model"):
        cqplug.Problem(spin_oscillator(initial_state=broken))


def test_exactness_and_refusals_of_the_model_class():
    assert not cqplug.Problem(spin_oscillator(kind="anharmonic")).exact
    assert cqplug.Problem(spin_oscillator()).exact
    with pytest.raises(InvalidProblem, match="must be linear in z"):
        cqplug.Problem(spin_oscillator(kind="nonlinear-coupling"))
    qutip = pytest.importorskip("qutip")
    fock = spin_oscillator(initial_state=lambda p: cqplug.InitialState(qutip.fock(20, 1), np.array([1, 0])))
    with pytest.raises(InvalidProblem, match="Wigner function reaches -0.3"):
        cqplug.Problem(fock)


def test_momentum_coupling_trade_off():
    """g p sigma_x with decoherence of p: D1 = (1/2)(dh/dp, 0) = (g/2, 0) needs position diffusion."""
    problem = cqplug.Problem(momentum_coupled(g=0.5))
    np.testing.assert_allclose(problem.D1, [[0.25], [0.0]])
    np.testing.assert_allclose(problem.D2, [[0.4, 0], [0, 0]])
    assert problem.tradeoff.ratio == pytest.approx(16 * 0.2 * 0.4 / 0.25)
