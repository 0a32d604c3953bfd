"""Environments: any Lindblad operator on Q, friction and thermal baths on C (physics.md §9).

Expected values come from physics, never from cqplug: closed forms of the damped oscillator,
the Lindblad generator written out with NumPy, QuTiP's own moments of a Fock-space master
equation, and the QuTiP reference for the Monte Carlo comparisons (z-tests with 1 % power).
"""

import numpy as np
import pytest
import scipy.linalg as sla

import cqplug
from cqplug.errors import BackendUnavailable, InvalidProblem
from cqplug.registry import get_registry
from cqplug.system import compile_system, quantum

from .helpers import assert_agrees, assert_power, assert_step_error_small
from .models import qubit_chain, spin_one, toy_in_environment


def oscillator(channels, initial=(1.5, -0.4), **params):
    """An oscillator alone (d = 1) of mass m and frequency omega in the given channels."""
    params = {"m": 0.7, "omega": 1.6, "Gamma": 0.6} | params
    return cqplug.Model(
        "bath-oscillator", coordinates=["q"], momenta=["p"], parameters=params,
        classical_hamiltonian="p**2/(2*m) + m*omega**2*q**2/2", channels=channels,
        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(*initial, m=p["m"], omega=p["omega"]),
                                                    np.array([1.0])),
        t_final=4.0)


def lindblad_generator(H, jumps):
    """d rho/dt = -i[H, rho] + sum_k (J rho J^+ - {J^+ J, rho}/2) as a function, written out here."""
    def generator(rho):
        out = -1j * (H @ rho - rho @ H)
        for J in jumps:
            JdJ = J.conj().T @ J
            out += J @ rho @ J.conj().T - 0.5 * (JdJ @ rho + rho @ JdJ)
        return out
    return generator


# -- the primitives -------------------------------------------------------------------------------
@pytest.mark.unit
def test_the_annihilation_operator_gives_friction_and_vacuum_diffusion():
    """Gamma D[a], a = sqrt(m omega/2)(q + i p/(m omega)): dz/dt gains -(Gamma/2) z and D2 =
    (Gamma/2) diag(1/(m omega), m omega), whose stationary covariance with the flow is the vacuum."""
    m, omega, Gamma = 0.7, 1.6, 0.6
    problem = cqplug.Problem(oscillator([cqplug.ClassicalLindblad("sqrt(m*omega/2)*(q + I*p/(m*omega))",
                                                                 "Gamma")]))
    np.testing.assert_allclose(problem.D2, 0.5 * Gamma * np.diag([1 / (m * omega), m * omega]), atol=1e-12)
    flow = compile_system(problem, get_registry().method("cq")).linear_flow
    hamilton = np.array([[0, 1 / m], [-m * omega**2, 0]])
    np.testing.assert_allclose(flow.A, hamilton - 0.5 * Gamma * np.eye(2), atol=1e-12)
    stationary = sla.solve_continuous_lyapunov(flow.A, -problem.D2)
    np.testing.assert_allclose(stationary, np.diag([1 / (2 * m * omega), m * omega / 2]), atol=1e-12)


@pytest.mark.unit
def test_a_complex_linear_channel_has_the_moments_of_its_lindblad_equation():
    """For l = alpha q + beta p with random complex alpha, beta (damping; and a Hamiltonian), the mean and
    covariance of the drift and diffusion cqplug derives follow QuTiP's solution of the master
    equation rate D[l] on a converged Fock space."""
    qutip = pytest.importorskip("qutip")
    rng = np.random.default_rng(11)
    alpha, beta = rng.normal(size=2) + 1j * rng.normal(size=2)
    if (np.conj(alpha) * beta).imag < 0:  # then l is mostly a creation operator and amplifies: take l^+
        alpha, beta = np.conj(alpha), np.conj(beta)
    rate, m, omega, t = 0.45, 1.0, 1.2, 1.3
    ell = f"({alpha.real} + I*({alpha.imag}))*q + ({beta.real} + I*({beta.imag}))*p"
    problem = cqplug.Problem(oscillator([cqplug.ClassicalLindblad(ell, "Gamma")], initial=(0.8, 0.3),
                                        m=m, omega=omega, Gamma=rate))
    system = compile_system(problem, get_registry().method("cq"))
    A, D2 = system.linear_flow.A, problem.D2
    mean0, cov0 = problem.initial.classical.mean, problem.initial.classical.covariance
    mean = sla.expm(A * t) @ mean0
    van_loan = sla.expm(t * np.block([[-A, D2], [np.zeros((2, 2)), A.T]]))  # integral of e^{As} D2 e^{A^T s}
    cov = sla.expm(A * t) @ cov0 @ sla.expm(A * t).T + van_loan[2:, 2:].T @ van_loan[:2, 2:]

    N = 80
    a = qutip.destroy(N)
    q, p = (a + a.dag()) / np.sqrt(2 * m * omega), -1j * np.sqrt(m * omega / 2) * (a - a.dag())
    H = p * p / (2 * m) + m * omega**2 * q * q / 2
    rho0 = qutip.coherent_dm(N, (mean0[0] * np.sqrt(m * omega) + 1j * mean0[1] / np.sqrt(m * omega)) / np.sqrt(2))
    c_op = np.sqrt(rate) * (alpha * q + beta * p)
    e_ops = [q, p, q * q, p * p, (q * p + p * q) / 2]
    out = qutip.mesolve(H, rho0, [0, t], [c_op], e_ops=e_ops, options={"atol": 1e-10, "rtol": 1e-10}).expect
    exact = [x[-1].real for x in out]
    second = cov + np.outer(mean, mean)
    np.testing.assert_allclose([*mean, second[0, 0], second[1, 1], second[0, 1]], exact, atol=1e-6)


@pytest.mark.unit
def test_kraus_operators_reproduce_the_exact_channel():
    rng = np.random.default_rng(3)
    d = 3
    H = rng.normal(size=(d, d))
    jumps = [rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d)) for _ in range(2)]
    P = sla.expm(0.4 * quantum.liouvillian(H + H.T, jumps))
    K = quantum.kraus_operators(P, d)
    np.testing.assert_allclose(sum(k.conj().T @ k for k in K), np.eye(d), atol=1e-12)
    rho = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = rho @ rho.conj().T
    np.testing.assert_allclose(sum(k @ rho @ k.conj().T for k in K), (P @ rho.reshape(-1)).reshape(d, d), atol=1e-12)


def _jumps(model, **params):
    return cqplug.Problem(model, params).jumps


def _qubit(channels, d=2, **parameters):
    return cqplug.Model("q", coordinates=["q"], momenta=["p"], parameters={"r": 0.3} | parameters,
                        classical_hamiltonian="p**2/2 + q**2/2", quantum_hamiltonian=[(0.0, np.eye(d))],
                        channels=channels,
                        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(m=1, omega=1),
                                                                    np.eye(d)[0]))


@pytest.mark.unit
def test_amplitude_damping_relaxes_a_qubit_to_its_thermal_populations():
    """rate (n+1) D[sigma_-] + rate n D[sigma_+]: stationary p(sigma_z = +1)/p(-1) = n/(n+1), coherences
    decay at rate (2n+1)/2; sigma_- is QuTiP's sigmam()."""
    n, r = 0.4, 0.3
    jumps = _jumps(_qubit([("amplitude-damping", {"rate": "r", "n_thermal": n})]))
    np.testing.assert_allclose(jumps[0], np.sqrt(r * (n + 1)) * np.array([[0, 0], [1, 0]]), atol=1e-15)
    generator = lindblad_generator(np.zeros((2, 2)), jumps)
    stationary = np.diag([n / (2 * n + 1), (n + 1) / (2 * n + 1)])
    np.testing.assert_allclose(generator(stationary), 0, atol=1e-15)
    coherence = np.array([[0, 1], [0, 0]], dtype=complex)
    np.testing.assert_allclose(generator(coherence), -r * (2 * n + 1) / 2 * coherence, atol=1e-15)


@pytest.mark.unit
@pytest.mark.parametrize("d", [2, 3])
def test_depolarizing_relaxes_to_the_maximally_mixed_state(d):
    jumps = _jumps(_qubit([("depolarizing", {"rate": "r"})], d=d))
    rho = np.random.default_rng(d).normal(size=(d, d)) + 0j
    rho = rho @ rho.T
    rho /= np.trace(rho)
    np.testing.assert_allclose(lindblad_generator(np.zeros((d, d)), jumps)(rho), 0.3 * (np.eye(d) / d - rho),
                               atol=1e-14)


@pytest.mark.unit
def test_dephasing_outside_the_coupling_span_takes_pauli_names():
    jumps = _jumps(_qubit([("dephasing", {"operator": "x", "rate": "r"})]))
    np.testing.assert_allclose(jumps, np.sqrt(0.3) * np.array([[[0, 1], [1, 0]]]), atol=1e-15)
    two = _jumps(_qubit([("dephasing", {"operator": "XZ", "rate": "r"})], d=4))
    np.testing.assert_allclose(two[0], np.sqrt(0.3) * np.kron([[0, 1], [1, 0]], [[1, 0], [0, -1]]), atol=1e-15)


@pytest.mark.unit
def test_a_temperature_sets_the_bose_occupation():
    """thermal-oscillator at temperature T: n = 1/(exp(omega/T) - 1), so D2 = Gamma (n + 1/2) diag(1/(m omega),
    m omega) and the friction stays -Gamma/2 whatever T."""
    T, m, omega, Gamma = 0.9, 0.7, 1.6, 0.6
    n = 1 / np.expm1(omega / T)
    problem = cqplug.Problem(oscillator([("thermal-oscillator", {"rate": "Gamma", "temperature": T})]))
    np.testing.assert_allclose(problem.D2, Gamma * (n + 0.5) * np.diag([1 / (m * omega), m * omega]), atol=1e-12)
    flow = compile_system(problem, get_registry().method("cq")).linear_flow
    np.testing.assert_allclose(np.trace(flow.A), -Gamma, atol=1e-12)


BAD = {  # channel options: a fragment of the one-line message
    "J of the wrong shape": (lambda: [cqplug.QuantumLindblad(np.eye(3), "r", name="J")], "d = 2"),
    "non-finite J": (lambda: [cqplug.QuantumLindblad([[0, np.nan], [0, 0]], "r", name="J")], "not finite"),
    "non-linear l(z)": (lambda: [cqplug.ClassicalLindblad("q**2 + I*p", "r")], "must be linear"),
    "constant l": (lambda: [cqplug.ClassicalLindblad("1 + I", "r")], "does not depend on"),
    "negative n_thermal": (lambda: [("amplitude-damping", {"rate": "r", "n_thermal": -0.1})], "n_thermal"),
    "temperature zero": (lambda: [("thermal-oscillator", {"rate": "r", "temperature": 0.0})], "temperature"),
    "temperature and n": (lambda: [("thermal-oscillator", {"rate": "r", "temperature": 1.0, "n_thermal": 1})],
                          "not both"),
    "non-Hermitian dephasing": (lambda: [("dephasing", {"rate": "r", "operator": [[0, 1], [0, 0]]})],
                                "Hermitian"),
    "unknown Pauli name": (lambda: [("dephasing", {"rate": "r", "operator": "w"})], "I, X, Y, Z"),
}


@pytest.mark.unit
@pytest.mark.parametrize("case", BAD)
def test_bad_channels_are_refused_in_one_line_naming_the_channel(case):
    channels, fragment = BAD[case]
    with pytest.raises(InvalidProblem) as err:
        cqplug.Problem(_qubit(channels(), m="1", omega="1"))
    message = str(err.value)
    assert fragment in message and "\n" not in message
    assert "channel" in message


@pytest.mark.unit
def test_a_negative_rate_is_refused():
    with pytest.raises(InvalidProblem, match="rate r = -0.1 is negative"):
        cqplug.Problem(_qubit([("amplitude-damping", {"rate": "r"})]), {"r": -0.1})


# -- the trade-off ------------------------------------------------------------------------------
def bath_only(**params):
    """The environment model without the toy's own classical decoherence: C diffuses only through its bath."""
    return toy_in_environment(n_bath=0.5, **({"gamma_c": 0.0} | params))


@pytest.mark.unit
def test_bath_diffusion_counts_toward_the_trade_off_and_quantum_channels_do_not():
    """With gamma_c = 0 the bath alone must supply D2_pp = Gamma (2n+1) m omega / 2 >= lam^2 / (4 D0 / 2):
    Gamma >= lam^2 / (4 gamma_q (2n + 1) m omega); amplitude damping changes nothing."""
    m, omega, lam, gamma_q, n = 0.8, 1.3, 0.8, 0.3, 0.5
    minimum = lam**2 / (4 * gamma_q * (2 * n + 1) * m * omega)
    with pytest.raises(cqplug.PositivityViolation) as err:
        cqplug.Problem(bath_only(), {"Gamma": 0.9 * minimum})
    assert f"Gamma must be >= {minimum:.6g}" in str(err.value)
    at = cqplug.Problem(bath_only(), {"Gamma": minimum})
    assert at.tradeoff.saturated
    for kappa in (0.0, 5.0):
        assert cqplug.Problem(bath_only(), {"Gamma": minimum, "kappa": kappa}).tradeoff.ratio == \
            pytest.approx(at.tradeoff.ratio, rel=1e-9)


@pytest.mark.unit
def test_the_standard_form_refuses_kets_with_quantum_lindblad_channels_naming_the_way_out():
    """Generic SDE solvers (julia, jax's diffrax) integrate a diffusion; the Kraus sampling of the
    split step is not one: refused before any work, naming cq and the split-step backends."""
    from cqplug.system.standard_form import standard_form

    system = compile_system(cqplug.Problem(toy_in_environment()), get_registry().method("cq-ket"))
    with pytest.raises(BackendUnavailable, match="use method 'cq', or a backend that integrates the split step"):
        standard_form(system)


# -- Monte Carlo against exact answers ------------------------------------------------------------
@pytest.mark.statistical
@pytest.mark.parametrize("method", ["cq", "cq-ket"])
def test_an_oscillator_thermalises_along_the_closed_form(method):
    """thermal-oscillator (n = 0.5, omega = 1.6, m = 0.7): the mean rotates and decays as e^{-Gamma t/2};
    the covariance relaxes from the vacuum to (n + 1/2) diag(1/(m omega), m omega) as e^{-Gamma t}."""
    n, m, omega, Gamma = 0.5, 0.7, 1.6, 0.9
    q0, p0 = 1.5, -0.4
    problem = cqplug.Problem(oscillator([("thermal-oscillator", {"rate": "Gamma", "n_thermal": n})]),
                             {"Gamma": Gamma}, t_final=5.0, save_dt=0.25)
    result = cqplug.solve(problem, method, trajectories=400_000, seed=5, progress=False)
    t = problem.times
    decay = np.exp(-Gamma * t)
    q = np.sqrt(decay) * (q0 * np.cos(omega * t) + p0 / (m * omega) * np.sin(omega * t))
    p = np.sqrt(decay) * (p0 * np.cos(omega * t) - m * omega * q0 * np.sin(omega * t))
    var_q = decay / (2 * m * omega) + (1 - decay) * (n + 0.5) / (m * omega)
    var_p = decay * m * omega / 2 + (1 - decay) * (n + 0.5) * m * omega
    for name, exact in (("q", q), ("p", p), ("q2", var_q + q**2), ("p2", var_p + p**2)):
        err = result.stderr(name)
        ok = err > 0
        z = (result.mean(name)[ok] - exact[ok]) / err[ok]
        assert np.abs(z).max() < 4, f"{name}: max |z| = {np.abs(z).max():.1f}"
        assert 0.01 * np.ptp(exact) > 4 * err.max(), f"{name}: too few trajectories for 1 % power"
    assert abs(var_q[-1] - (n + 0.5) / (m * omega)) < 0.01  # t_final reaches the Gibbs state


_REFERENCES = {}


def reference(name, problem):
    pytest.importorskip("qutip")
    if name not in _REFERENCES:
        _REFERENCES[name] = cqplug.solve(problem, "lindblad", progress=False)
    return _REFERENCES[name]


ENVIRONMENT = dict(t_final=2.0, save_dt=0.25)


@pytest.mark.statistical
@pytest.mark.parametrize("method, backend, trajectories, power", [
    ("cq", "cpu", 1_000_000, ["q2", "sz", "sx", "qsz"]), ("cq-ket", "cpu", 2_500_000, ["q2", "sz", "sx", "qsz"]),
    ("cq", "jax", 1_000_000, ["q2", "sz", "qsz"]), ("cq-ket", "jax", 1_000_000, ["q2", "sz", "qsz"])])
def test_toy_with_a_decaying_qubit_in_a_thermal_bath_is_exact(method, backend, trajectories, power):
    """The toy model (m = 0.8, omega = 1.3) plus amplitude damping (thermal, n = 0.3) plus a thermal oscillator
    bath (n = 0.5) beside its own channels, against the Lindblad reference."""
    if backend == "jax":
        pytest.importorskip("jax")
    problem = cqplug.Problem(toy_in_environment(n_qubit=0.3), **ENVIRONMENT)
    exact = reference("environment", problem)
    result = cqplug.solve(problem, method, trajectories=trajectories, seed=17, backend=backend, progress=False)
    assert_power(result, exact, names=power)
    assert_agrees(result, exact)
    assert_step_error_small(result, sigmas=3.0)


@pytest.mark.statistical
@pytest.mark.parametrize("method, trajectories", [("cq", 700_000), ("cq-ket", 1_000_000)])
def test_friction_at_the_trade_off_boundary_is_exact(method, trajectories):
    """gamma_c = 0: the thermal bath alone supplies exactly the minimal diffusion (saturated trade-off)."""
    m, omega, lam, gamma_q, n = 0.8, 1.3, 0.8, 0.3, 0.5
    problem = cqplug.Problem(bath_only(), {"Gamma": lam**2 / (4 * gamma_q * (2 * n + 1) * m * omega)}, **ENVIRONMENT)
    assert problem.tradeoff.saturated
    exact = reference("boundary", problem)
    result = cqplug.solve(problem, method, trajectories=trajectories, seed=23, progress=False)
    assert_power(result, exact, names=["q2", "sx", "qsz"])
    assert_agrees(result, exact)


def with_jump(model, J, rate, **params):
    base = cqplug.Problem(model, params)
    return cqplug.Problem(model, params, channels=[*base.channels, cqplug.QuantumLindblad(J, rate, name="J")],
                          t_final=1.0, save_dt=0.125)


@pytest.mark.statistical
@pytest.mark.parametrize("d, method, trajectories", [(3, "cq", 1_800_000), (3, "cq-ket", 2_700_000),
                                                     (8, "cq", 30_000), (8, "cq-ket", 60_000)])
def test_a_non_hermitian_operator_outside_the_couplings_is_exact(d, method, trajectories):
    """A random complex J (neither Hermitian nor related to the couplings) on a spin-1 (d = 3, unrolled
    kernel) and on a three-qubit chain (d = 8, looped kernel: the full superoperator for densities, the
    Kraus operators for kets)."""
    rng = np.random.default_rng(d)
    J = (rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))) / d
    problem = with_jump(spin_one(), J, "a") if d == 3 else \
        with_jump(qubit_chain(3, lam=0.6), J, "gamma_c", gamma_q=0.6**2 / 4 * 1.5)
    exact = reference(f"jump d={d}", problem)
    result = cqplug.solve(problem, method, trajectories=trajectories, seed=29, progress=False)
    if d == 3:
        assert_power(result, exact, names=["Sx", "Sz2", "qSz"])
    assert_agrees(result, exact)


# -- an environment from a user's package ----------------------------------------------------------
@pytest.mark.integration
def test_an_environment_plugin_installed_with_pip_runs_through_the_cli(tmp_path):
    """examples/plugins/cqplug-decay registers two channels written from the public primitives only (and a
    model using them); installed with pip, its model runs through the CLI with cq and cq-ket and agrees
    with the exact reference."""
    pytest.importorskip("qutip")
    from pathlib import Path

    from cqplug import Result

    from .helpers import cqplug_cli, pip_install

    env = pip_install(Path(__file__).resolve().parents[1] / "examples" / "plugins" / "cqplug-decay", tmp_path / "site")
    listing = cqplug_cli(env, "list")
    assert listing.returncode == 0, listing.stderr
    for name in ("spontaneous-emission", "oscillator-damping", "decaying-toy"):
        assert name in listing.stdout
    described = cqplug_cli(env, "describe", "decaying-toy")
    assert "kappa D[sigma_-] rho" in described.stdout and "Gamma D[sqrt(m*omega/2)" in described.stdout
    common = ["--t-final", "2", "--save-dt", "0.25", "--quiet"]
    exact = cqplug_cli(env, "run", "decaying-toy", *common, "--method", "lindblad", "-o", str(tmp_path / "exact.json"))
    assert exact.returncode == 0, exact.stderr
    reference = Result.load(tmp_path / "exact.json")
    for method, trajectories in (("cq", 300_000), ("cq-ket", 600_000)):
        out = tmp_path / f"{method}.json"
        run = cqplug_cli(env, "run", "decaying-toy", *common, "--method", method, "-n", str(trajectories),
                         "--seed", "4", "-o", str(out))
        assert run.returncode == 0, run.stderr
        assert_agrees(Result.load(out), reference)
        assert_power(Result.load(out), reference, fraction=0.02, names=["q2", "sz"])


# -- the step, written once ------------------------------------------------------------------------
@pytest.mark.unit
def test_no_backend_names_a_channel():
    """Environments reach the backends only through the compiled system: no backend file names a channel
    kind or a channel primitive."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    names = [f'"{name}"' for name in get_registry().names("channels")]
    names += ["ClassicalDecoherence", "QuantumDephasing", "ClassicalLindblad", "QuantumLindblad"]
    files = [*root.glob("plugins/cqplug_cpu/*.py"), *root.glob("plugins/cqplug_jax/*.py"),
             *root.glob("plugins/cqplug_julia/*.py"), *root.glob("julia/*.jl")]
    assert len(files) > 10
    found = {f"{path.name}: {name}" for path in files for name in names if name in path.read_text()}
    assert not found


@pytest.mark.unit
@pytest.mark.parametrize("model, params, method, expected", [
    ("toy", {}, "cq", dict(increments=1, bridge_splits=0, phase_increments=0, kraus=0)),
    ("toy", {"gamma_q": 0.5}, "cq-ket", dict(increments=1, bridge_splits=0, phase_increments=1, kraus=0)),
    ("two-oscillators", {}, "cq-ket", dict(increments=2, bridge_splits=2, phase_increments=2, kraus=0)),
    (toy_in_environment, {}, "cq-ket", dict(increments=2, bridge_splits=0, phase_increments=1, kraus=1)),
    (toy_in_environment, {}, "cq", dict(increments=2, bridge_splits=0, phase_increments=0, kraus=0)),
])
def test_the_step_plan_draws_what_the_unravelling_needs(model, params, method, expected):
    """One Brownian increment per noise (the environment model's bath diffuses q as well as p: two);
    bridge splits only for the palindrome (non-commuting couplings);
    kets draw the excess-dephasing increments and, with quantum Lindblad channels, a Kraus uniform;
    densities apply both inside the constant channel."""
    from cqplug.system.step_plan import step_plan

    problem = cqplug.Problem(model() if callable(model) else model, params)
    plan = step_plan(compile_system(problem, get_registry().method(method)))
    assert {k: getattr(plan.draws, k) for k in expected} == expected
    noncommuting = (("measure", 0), ("measure", 1), ("dephase", 0), ("dephase", 1))
    assert plan.palindrome == (() if problem.model.name != "two-oscillators" else noncommuting)
