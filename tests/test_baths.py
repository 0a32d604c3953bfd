"""Structured baths: models declared with arrays (cqplug.Quadratic, cqplug.Linear), exact at N = 1000.

A bath whose modes take two frequencies is exactly a qubit and two oscillators: in each group
the collective coordinate Q_g = sum_k c_k q_k / C_g (C_g^2 = sum_k c_k^2 over the group) is a
harmonic oscillator of the group's frequency, and the orthogonal combinations never couple. The
reduced model is written here as strings and solved by the exact Lindblad reference; the
1000-mode model is integrated by CQ trajectories and compared at every saved time (z-tests).
"""

import numpy as np
import pytest
import scipy.sparse as sparse

import cqplug
from cqplug.errors import InvalidProblem

from .helpers import assert_agrees, assert_power, assert_step_error_small

FREQUENCIES = (1.0, 2.0)
STRENGTHS = (0.6, 0.4)  # C_g: the coupling of each group's collective coordinate
RATES = {"gamma_c": 0.5, "gamma_q": 0.25}  # 16 gamma_c gamma_q = 2 >= 1 (h = X below)
T_FINAL = 2.0


def two_frequency_bath(N: int) -> cqplug.Model:
    """N modes, half at each frequency, unit masses, in their ground states; the qubit's sigma_z couples
    to X = sum_k c_k q_k with c_k = C_g sqrt(2 / N); decoherence -gamma_c [X, [X, rho]]."""
    omega = np.repeat(FREQUENCIES, N // 2)
    c = np.repeat(STRENGTHS, N // 2) * np.sqrt(2.0 / N)
    g = np.concatenate([c, np.zeros(N)])
    sigma = cqplug.pauli_matrices()
    covariance = np.diag(np.concatenate([1 / (2 * omega), omega / 2]))
    return cqplug.Model(
        "two-frequency-bath", coordinates=[f"q{k}" for k in range(N)], momenta=[f"p{k}" for k in range(N)],
        parameters={"Delta": 1.0, **RATES},
        classical_hamiltonian=cqplug.Quadratic(sparse.diags(np.concatenate([omega**2, np.ones(N)]))),
        quantum_hamiltonian=[("Delta/2", sigma["sx"])],
        couplings=[(cqplug.Linear(g), sigma["sz"])],
        channels=[cqplug.ClassicalDecoherence(cqplug.Linear(g), "gamma_c"),
                  cqplug.QuantumDephasing("gamma_q", coupling=0)],
        initial_state=lambda p: cqplug.InitialState(cqplug.GaussianState(np.zeros(2 * N), covariance),
                                                    np.array([1.0, 1.0]) / np.sqrt(2)),
        observables=[cqplug.Observable("X", cqplug.Linear(g)), cqplug.Observable("Xsz", cqplug.Linear(g), sigma["sz"])],
        t_final=T_FINAL)


def reduced_model() -> cqplug.Model:
    """The same dynamics on the two collective coordinates, written as strings."""
    sigma = cqplug.pauli_matrices()
    (w1, w2), (c1, c2) = FREQUENCIES, STRENGTHS
    X = f"{c1}*Q1 + {c2}*Q2"
    return cqplug.Model(
        "two-frequency-reduced", coordinates=["Q1", "Q2"], momenta=["P1", "P2"], parameters={"Delta": 1.0, **RATES},
        classical_hamiltonian=f"P1**2/2 + {w1**2}*Q1**2/2 + P2**2/2 + {w2**2}*Q2**2/2",
        quantum_hamiltonian=[("Delta/2", sigma["sx"])],
        couplings=[(X, sigma["sz"])],
        channels=[cqplug.ClassicalDecoherence(X, "gamma_c"), cqplug.QuantumDephasing("gamma_q", coupling=0)],
        initial_state=lambda p: cqplug.InitialState(
            cqplug.product_state(cqplug.coherent_state(0, 0, 1.0, w1), cqplug.coherent_state(0, 0, 1.0, w2)),
            np.array([1.0, 1.0]) / np.sqrt(2)),
        observables=[cqplug.Observable("X", X), cqplug.Observable("Xsz", X, sigma["sz"])],
        t_final=T_FINAL)


@pytest.fixture(scope="module")
def reduced_reference():
    return cqplug.solve(cqplug.Problem(reduced_model(), save_dt=0.1), "lindblad", progress=False)


@pytest.mark.statistical
def test_a_thousand_mode_bath_is_exactly_its_two_collective_oscillators(reduced_reference):
    problem = cqplug.Problem(two_frequency_bath(1000), save_dt=0.1)
    assert problem.exact and problem.tradeoff.valid
    result = cqplug.solve(problem, "cq", trajectories=40_000, seed=3, progress=False)
    assert result.info.trajectories == 40_000
    assert_power(result, reduced_reference, names=["sx", "sy", "sz"])
    assert_agrees(result, reduced_reference, names=["sx", "sy", "sz", "X", "Xsz"])
    assert_step_error_small(result, sigmas=2.0)


@pytest.mark.statistical
@pytest.mark.parametrize("method, kernel", [("cq", "auto"), ("cq", "unrolled"), ("cq-ket", "auto")])
def test_the_bath_kernel_and_the_unrolled_kernel_agree_with_the_reduced_model(reduced_reference, method, kernel):
    """N = 10 (20 variables: the bath kernel under "auto"; "unrolled" forces the straight-line one)."""
    problem = cqplug.Problem(two_frequency_bath(10), save_dt=0.1)
    result = cqplug.solve(problem, method, backend="cpu", trajectories=20_000, seed=4, progress=False, kernel=kernel)
    assert_agrees(result, reduced_reference, names=["sx", "sy", "sz"])


@pytest.mark.statistical
def test_the_jax_backend_integrates_a_bath_with_sparse_flows(reduced_reference):
    pytest.importorskip("jax")
    problem = cqplug.Problem(two_frequency_bath(100), save_dt=0.1)
    result = cqplug.solve(problem, "cq", backend="jax", trajectories=20_000, seed=6, progress=False)
    assert_agrees(result, reduced_reference, names=["sx", "sy", "sz"])


def coherence_without_tunnelling(times, omega, c, rates: dict, temperature: float) -> np.ndarray:
    """|rho_01(t)/rho_01(0)| for Delta = 0, derived here: sigma_z is conserved, so the coherence's bath
    factor is E[exp(-2i int_0^t X ds)] over the classical bath (Feynman-Kac on its Wigner function), a
    Gaussian integral: exp(-2 Var int X) with the variance from the thermal initial state and from the
    momentum noise of -gamma [X, [X, rho]] (diffusion 2 gamma along (c_k) in momentum); and exp(-4 gamma_q t)."""
    coth = 1 / np.tanh(omega / (2 * temperature)) if temperature > 0 else np.ones_like(omega)
    u = np.linspace(0.0, times[-1], 20_001)
    response = ((c**2 / omega**2)[None, :] * (1 - np.cos(np.outer(u, omega)))).sum(axis=1)  # d(int X)/d(kick)
    cumulative = np.concatenate([[0.0], np.cumsum(0.5 * (response[1:] ** 2 + response[:-1] ** 2) * np.diff(u))])
    noise = np.interp(times, u, cumulative)
    initial = np.array([np.sum(c**2 * coth * (1 - np.cos(omega * t)) / omega**3) for t in times])
    gamma = rates["gamma_c"] * rates["decoherence"]
    return np.exp(-2 * initial - 4 * gamma * noise - 4 * rates["gamma_q"] * times)


@pytest.mark.statistical
def test_pure_dephasing_in_a_thousand_mode_ohmic_bath_has_its_closed_form():
    from cqplug_models.spin_boson import bath_modes, spin_boson

    params = {"Delta": 0.0, "alpha": 0.2, "omega_c": 4.0, "temperature": 0.5, "theta": np.pi / 2,
              "gamma_c": 0.25, "gamma_q": 0.25, "decoherence": 2.0}
    problem = cqplug.Problem(spin_boson(1000), params, t_final=2.0, save_dt=0.1)
    omega, c = bath_modes("ohmic", 1000, problem.params)
    exact = coherence_without_tunnelling(problem.times, omega, c, problem.params, params["temperature"])
    result = cqplug.solve(problem, "cq", trajectories=20_000, seed=5, progress=False)
    z = (result.mean("sx") - exact) / np.maximum(result.stderr("sx"), 1e-12)
    assert np.abs(z).max() < 4.0, (result.mean("sx"), exact)
    assert 0.01 * np.ptp(exact) > 4 * result.stderr("sx").max()  # a 1 % error would fail
    assert np.abs(result.mean("sy") / np.maximum(result.stderr("sy"), 1e-12)).max() < 4.0  # no bias: no phase


@pytest.mark.unit
def test_array_functions_refuse_bad_input_in_one_line():
    with pytest.raises(InvalidProblem, match="not symmetric"):
        cqplug.Quadratic(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(InvalidProblem, match="not finite"):
        cqplug.Linear([1.0, np.nan])
    with pytest.raises(InvalidProblem, match=r"shape \(3,\); expected length 2n = 4"):
        cqplug.Model("bad", coordinates=["a", "b"], momenta=["pa", "pb"], parameters={},
                     classical_hamiltonian="pa**2 + pb**2", couplings=[(cqplug.Linear([1.0, 0, 0]), np.eye(2))],
                     initial_state=lambda p: None)
    with pytest.raises(InvalidProblem, match=r"Hessian has shape \(2, 2\); expected 4 x 4"):
        cqplug.Model("bad", coordinates=["a", "b"], momenta=["pa", "pb"], parameters={},
                     classical_hamiltonian=cqplug.Quadratic(np.eye(2)), initial_state=lambda p: None)


@pytest.mark.unit
def test_default_observable_names_never_collide_and_old_names_still_find_them():
    model = two_frequency_bath(8)
    names = [o.name for o in model.observables]
    assert "q1" in names and "q1^2" in names and "q12" not in names  # q1 squared is not the variable q12
    sigma = cqplug.pauli_matrices()
    clash = cqplug.Model("clash", coordinates=["q", "q2"], momenta=["p", "p2"], parameters={},
                         classical_hamiltonian="p**2 + p2**2", couplings=[("q", sigma["sz"])],
                         initial_state=lambda p: None)
    assert {"q", "q2", "q^2", "q2^2", "p^2"} <= {o.name for o in clash.observables}  # q's square is not q2
    big = two_frequency_bath(20)  # 40 variables: no observable per variable
    assert [o.name for o in big.observables] == ["sx", "sy", "sz", "X", "Xsz"]
    problem = cqplug.Problem(model, save_dt=0.5)
    result = cqplug.solve(problem, "cq", trajectories=600, seed=1, progress=False)
    with pytest.warns(DeprecationWarning, match="'q12' is deprecated.*'q1\\^2'"):
        assert np.array_equal(result.mean("q12"), result.mean("q1^2"))


@pytest.mark.unit
def test_a_complex_linear_vector_is_the_classical_lindblad_channel_it_writes():
    """rate D[l(z)] with l = (a + i b) . z given as an array has the diffusion and friction of the same l
    written as a string (whose moments tests/test_environments.py checks against QuTiP)."""
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=4), rng.normal(size=4)
    text = " + ".join(f"({x:.12g} + I*({y:.12g}))*{s}" for x, y, s in zip(a, b, ("q1", "q2", "p1", "p2")))

    def oscillators(channel):
        return cqplug.Model("two", coordinates=["q1", "q2"], momenta=["p1", "p2"], parameters={"Gamma": 0.7},
                            classical_hamiltonian=cqplug.Quadratic(np.diag([1.0, 4.0, 1.0, 1.0])),
                            channels=[channel],
                            initial_state=lambda p: cqplug.InitialState(
                                cqplug.GaussianState(np.zeros(4), np.eye(4)), np.array([1.0])))

    arrays = cqplug.Problem(oscillators(cqplug.ClassicalLindblad(cqplug.Linear(a + 1j * b), "Gamma")))
    written = cqplug.Problem(oscillators(cqplug.ClassicalLindblad(text, "Gamma")))
    assert np.allclose(arrays.D2, written.D2, atol=1e-10) and np.any(arrays.D2)
    (A1, b1), (A2, b2) = arrays.linear_flow(), written.linear_flow()
    assert np.allclose(A1.toarray(), A2.toarray(), atol=1e-10) and np.allclose(b1, b2)
    with pytest.raises(InvalidProblem, match="vector is zero"):
        cqplug.Problem(oscillators(cqplug.ClassicalLindblad(cqplug.Linear(np.zeros(4)), "Gamma")))
