"""The compiled system: noise terms, working basis, exact propagators, time step, code printers."""

import math

import numpy as np
import pytest
import scipy.linalg as sla
import sympy as sp

import cqplug
from cqplug.errors import InvalidProblem
from cqplug.problem.terms import cq_terms, mean_field_terms
from cqplug.registry import get_registry
from cqplug.system import compile_system, quantum
from cqplug.system.phase_space import JaxPrinter, JuliaPrinter, PythonPrinter, phase_space_functions

from .models import spin_oscillator, two_qubit_sum

pytestmark = pytest.mark.unit

PARAMS = {"m": 1.7, "omega": 0.8, "delta": 0.3, "lam": 1.1, "gamma_c": 0.4, "gamma_q": 0.6}


def method(name):
    return get_registry().method(name)


def test_toy_unravelling_coefficients():
    problem = cqplug.Problem("toy", PARAMS)
    t = cq_terms(problem)
    gc, gq, lam = PARAMS["gamma_c"], PARAMS["gamma_q"], PARAMS["lam"]
    np.testing.assert_allclose(t.sigma @ t.sigma.T, [[0, 0], [0, 2 * gc]], atol=1e-14)
    np.testing.assert_allclose(t.sigma @ t.K.T, problem.D1, atol=1e-14)
    k = t.K[0, 0] * np.sign(t.sigma[1, 0])  # a joint sign flip is the same process
    assert k == pytest.approx(-lam / (2 * math.sqrt(2 * gc)))
    assert t.E[0, 0] == pytest.approx(2 * gq - lam**2 / (8 * gc))  # physics.md §5: extra dephasing
    mf = mean_field_terms(problem)
    assert mf.n_noise == 0 and mf.E[0, 0] == pytest.approx(2 * gq)


def test_measurement_record_carries_the_backreaction():
    """F = 2 D1 = 2 sigma K^T: the exact unravelling has no residual force (dz = ... + sigma dY)."""
    system = compile_system(cqplug.Problem("toy", PARAMS), method("cq"))
    assert np.all(system.residual_force == 0)
    mean_field = compile_system(cqplug.Problem("toy", PARAMS), method("mean-field"))
    np.testing.assert_allclose(mean_field.residual_force, [[0], [-PARAMS["lam"]]])


def test_commuting_couplings_are_diagonal_in_the_working_basis():
    system = compile_system(cqplug.Problem("mediated-qubits", {"delta": 0.5}), method("cq"))
    assert system.commuting
    for X in np.concatenate([system.L, system.C, system.J]):
        assert np.allclose(X, np.diag(np.diag(X)))
    U = system.basis
    np.testing.assert_allclose(U @ system.H_Q @ U.conj().T, cqplug.Problem("mediated-qubits", {"delta": 0.5}).H_Q,
                               atol=1e-12)
    general = compile_system(cqplug.Problem("two-oscillators"), method("cq"))
    assert not general.commuting


def test_constant_propagator_is_the_exact_channel():
    """exp(tau L_0) on Hermitian coordinates equals solving the master equation of H_Q and sum D[J]."""
    system = compile_system(cqplug.Problem("toy", {"delta": 1.3, "gamma_q": 0.9}), method("cq"))
    rng = np.random.default_rng(1)
    a = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    rho = a @ a.conj().T
    rho /= np.trace(rho)
    tau = 0.37
    x = system.quantum_propagator(tau) @ quantum.hermitian_coordinates(rho)

    def lindblad(t, y):
        r = y.reshape(2, 2)
        out = -1j * (system.H_Q @ r - r @ system.H_Q)
        for J in system.J:
            out += J @ r @ J.conj().T - 0.5 * (J.conj().T @ J @ r + r @ J.conj().T @ J)
        return out.ravel()

    from scipy.integrate import solve_ivp

    expected = solve_ivp(lindblad, (0, tau), rho.ravel().astype(complex), rtol=1e-12, atol=1e-12).y[:, -1]
    np.testing.assert_allclose(quantum.from_hermitian_coordinates(x, 2), expected.reshape(2, 2), atol=1e-9)


def test_linear_classical_flow_is_exact():
    system = compile_system(cqplug.Problem("toy", {"m": 2.0, "omega": 1.5}), method("cq"))
    Phi, phi = system.classical_propagator(0.3)
    A = np.array([[0, 1 / 2.0], [-2.0 * 1.5**2, 0]])
    np.testing.assert_allclose(Phi, sla.expm(0.3 * A), atol=1e-14)
    assert np.allclose(phi, 0)
    assert compile_system(cqplug.Problem(spin_oscillator(kind="anharmonic")), method("cq")).linear_flow is None


def test_automatic_time_step_follows_the_fastest_scale():
    problem = cqplug.Problem("toy", {"delta": 1.0}, t_final=3.0, save_dt=0.25)
    system = compile_system(problem, method("cq"))
    scales = system.time_step["scales"]
    assert system.time_step["limited_by"] == max(scales, key=scales.get)
    assert system.dt <= 0.1 / max(scales.values()) + 1e-12 and system.steps_per_save % 2 == 0
    assert 0.25 / system.dt == pytest.approx(system.steps_per_save)
    faster = compile_system(problem.remake(omega=10.0), method("cq"))
    assert faster.time_step["limited_by"] == "classical frequency" and faster.dt <= 0.1 / 10
    # commuting H_Q (delta = 0): the quantum Hamiltonian sets no scale
    assert "quantum Hamiltonian" not in compile_system(cqplug.Problem("toy"), method("cq")).time_step["scales"]


def test_given_time_step_is_fitted_to_the_saved_times_and_says_so():
    problem = cqplug.Problem("toy", t_final=1.0, save_dt=0.25)
    system = compile_system(problem, method("cq"), dt=0.5)
    assert system.dt == 0.125 and "0.5 -> 0.125" in system.time_step["adjusted"]
    with pytest.raises(InvalidProblem, match="dt must be a positive number"):
        compile_system(problem, method("cq"), dt=-1.0)


def test_stiff_excess_dephasing_beside_a_non_commuting_hamiltonian_is_resolved_or_refused_for_kets():
    """Kets unravel the excess dephasing beside H_Q (split), so their step must resolve its rate;
    the density method applies both exactly together and keeps a large step."""
    problem = cqplug.Problem("toy", {"delta": 1.0, "gamma_q": 3e4}, t_final=1.0)
    ket = compile_system(problem, method("cq-ket"))
    assert ket.time_step["limited_by"] == "excess dephasing" and ket.dt < 1e-5
    assert compile_system(problem, method("cq")).dt > 1e-3
    with pytest.raises(InvalidProblem, match=r"excess dephasing.*use method 'cq'"):
        compile_system(problem.remake(t_final=100.0), method("cq-ket"))


def test_measurement_sampling_switches_to_branches_only_when_they_separate():
    weak = compile_system(cqplug.Problem("toy"), method("cq"))
    strong = compile_system(cqplug.Problem("toy", {"gamma_c": 1e-4, "gamma_q": 1 / (16e-4)}), method("cq"), dt=0.01)
    assert weak.sampling == "gaussian" and strong.sampling == "branch"


def test_printers_print_the_same_function_in_each_language():
    problem = cqplug.Problem("toy", PARAMS)
    hamilton = phase_space_functions(problem)["hamilton"]
    lines = PythonPrinter().statements(hamilton, ["q", "p"], [f"c{j}" for j in range(10)], ["out0", "out1"])
    namespace = {"math": math} | {f"c{j}": v for j, v in enumerate(problem.parameter_vector())} | {"q": 0.3, "p": -1.2}
    exec("\n".join(lines), namespace)
    m, w = PARAMS["m"], PARAMS["omega"]
    assert namespace["out0"] == pytest.approx(-1.2 / m) and namespace["out1"] == pytest.approx(-m * w**2 * 0.3)
    julia = JuliaPrinter().function(hamilton, 2, 10)
    assert julia.startswith("function hamilton!(out, z, params)") and "out[2] =" in julia and ".^" not in julia
    jax = JaxPrinter().function(hamilton, 2, 10)
    assert jax.startswith("def hamilton(z, params):") and "return (" in jax


def test_julia_printer_maps_names_julia_lacks_and_unsupported_functions_are_refused():
    x, y = sp.symbols("z_0 z_1", real=True)
    text = JuliaPrinter().expression(sp.atan2(y, x) + sp.E * x + sp.Abs(y))
    assert "atan(z_1, z_0)" in text and "exp(1.0)" in text and "atan2" not in text
    q, p = sp.Symbol("q"), sp.Symbol("p")
    problem = cqplug.Problem(spin_oscillator(classical_hamiltonian=q * sp.erf(q) + p**2))  # the model is fine ...
    with pytest.raises(InvalidProblem, match="uses erf"):
        compile_system(problem, method("cq"))  # ... but no backend could compile its flow


def test_issue_11_model_is_stiff_enough_to_need_its_own_scale():
    system = compile_system(cqplug.Problem(two_qubit_sum()), method("cq"))
    assert system.commuting and system.time_step["scales"]["coupling phase"] > 1
