"""The spin–boson model: a qubit in a bath of N classical oscillators.

    H = Delta sigma_x / 2 + epsilon sigma_z / 2 + sum_k (p_k^2 + omega_k^2 q_k^2) / 2 + sigma_z sum_k c_k q_k

(hbar = 1, unit masses; frequencies and rates in units of the time unit^-1). The bath is described
by its spectral density J(omega) = (pi/2) sum_k c_k^2 / omega_k delta(omega - omega_k):

* ohmic, exponential cut-off: J(omega) = (pi/2) alpha omega exp(-omega / omega_c). Discretised on
  the quantiles of the mode density rho(omega) = (N / omega_c) exp(-omega / omega_c):
  omega_k = -omega_c ln(1 - (k - 1/2) / N), c_k = omega_k sqrt(alpha omega_c / N);
* Drude–Lorentz: J(omega) = 2 lambda gamma omega / (omega^2 + gamma^2), on the quantiles of
  rho(omega) = (2N / pi) gamma / (omega^2 + gamma^2): omega_k = gamma tan(pi (k - 1/2) / (2N)),
  c_k = omega_k sqrt(2 lambda / N).

Either way sum_k c_k^2 / omega_k^2 is the reorganisation (2 x) of the continuum: the discretisation
is exact for times short compared with the recurrence time ~ N / omega_c.

The bath is classical, in its thermal Wigner state at temperature T (Var q_k = coth(omega_k / 2T) /
(2 omega_k), Var p_k = omega_k coth(omega_k / 2T) / 2; T = 0: the ground state), which for a
harmonic bath coupled linearly makes the CQ description exact. The qubit is measured by the
collective coupling coordinate X = sum_k c_k q_k: classical decoherence
-gamma_c kappa [X, [X, rho]] along it and dephasing -gamma_q [sigma_z, [sigma_z, rho]]. The
trade-off is 16 gamma_c gamma_q kappa >= 1; the defaults sit at its minimum (kappa = 1), and
``decoherence`` (kappa) multiplies the classical decoherence above it. One noise drives the whole
bath: the cost of a step is linear in N.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse

from cqplug import GaussianState, InitialState, Linear, Model, Parameter, Quadratic, pauli_matrices, qubit_state

DENSITIES = ("ohmic", "drude-lorentz")


def bath_modes(density: str, N: int, params: dict) -> tuple:
    """(omega_k, c_k) of the discretised spectral density (see the module docstring)."""
    k = np.arange(1, N + 1) - 0.5
    if density == "ohmic":
        omega = -params["omega_c"] * np.log(1.0 - k / N)
        return omega, omega * np.sqrt(params["alpha"] * params["omega_c"] / N)
    omega = params["gamma"] * np.tan(np.pi * k / (2 * N))
    return omega, omega * np.sqrt(2.0 * params["lambda"] / N)


def thermal_variances(omega: np.ndarray, temperature: float) -> tuple:
    """(Var q, Var p) of each mode's thermal Wigner function (unit mass)."""
    factor = 1.0 / np.tanh(omega / (2.0 * temperature)) if temperature > 0 else np.ones_like(omega)
    return factor / (2.0 * omega), factor * omega / 2.0


def pure_dephasing_coherence(times, params: dict, modes: int = 100, density: str = "ohmic") -> np.ndarray:
    """exp(-Gamma(t)): |rho_01(t) / rho_01(0)| of the model with Delta = 0, exactly (σ_z is conserved).

        Gamma(t) = sum_k (2 c_k^2 / omega_k^3) coth(omega_k / 2T) (1 - cos omega_k t)
                   + 4 gamma_c kappa int_0^t S(u)^2 du + 4 gamma_q t,
        S(u) = sum_k c_k^2 (1 - cos omega_k u) / omega_k^2

    The first term is the thermal bath's own dephasing (the variance of the phase 2 int X dt over the
    initial Wigner function), the second the classical decoherence's momentum noise acting through the
    same phase, the third the qubit's dephasing. The coherence also turns at the bias: rho_01(t) =
    rho_01(0) exp(-i epsilon t - Gamma(t))."""
    from scipy.integrate import quad

    omega, c = bath_modes(density, modes, params)
    T = params["temperature"]
    thermal = 1.0 / np.tanh(omega / (2.0 * T)) if T > 0 else np.ones_like(omega)
    weight = c**2 / omega**2

    def S(u):
        return float(np.sum(weight * (1.0 - np.cos(omega * u))))

    out = []
    for t in np.atleast_1d(times):
        noise = quad(lambda u: S(u) ** 2, 0.0, t, limit=500)[0] if t > 0 else 0.0
        gamma = np.sum(2.0 * c**2 / omega**3 * thermal * (1.0 - np.cos(omega * t)))
        gamma += 4.0 * params["gamma_c"] * params["decoherence"] * noise + 4.0 * params["gamma_q"] * t
        out.append(np.exp(-gamma))
    return np.array(out)


def spin_boson(modes: int = 100, density: str = "ohmic") -> Model:
    """The spin–boson model with ``modes`` classical bath modes and the spectral density ``density``
    ("ohmic" or "drude-lorentz")."""
    if density not in DENSITIES:
        raise ValueError(f"density must be one of {DENSITIES}, got {density!r}")
    N = int(modes)
    sigma = pauli_matrices()
    bath = {"alpha": Parameter(0.1, "Kondo parameter (dimensionless coupling strength)"),
            "omega_c": Parameter(5.0, "cut-off frequency")} if density == "ohmic" else \
        {"lambda": Parameter(0.5, "reorganisation energy"), "gamma": Parameter(2.0, "Drude cut-off frequency")}

    def modes_of(p):
        return bath_modes(density, N, p)

    def hessian(p):
        omega, _ = modes_of(p)
        return sparse.diags(np.concatenate([omega**2, np.ones(N)]))

    def coupling(p):
        return np.concatenate([modes_of(p)[1], np.zeros(N)])

    def decoherence_operator(p):
        return np.sqrt(p["decoherence"]) * coupling(p)

    def initial(p):
        omega, _ = modes_of(p)
        var_q, var_p = thermal_variances(omega, p["temperature"])
        return InitialState(GaussianState(np.zeros(2 * N), np.diag(np.concatenate([var_q, var_p]))),
                            qubit_state(p["theta"], p["phi"]))

    name = "spin-boson" if density == "ohmic" else "spin-boson-drude"
    return Model(
        name,
        description=__doc__ + f"\nThis instance: {N} modes, {density} spectral density.",
        t_final=10.0,
        coordinates=[f"q{k}" for k in range(1, N + 1)],
        momenta=[f"p{k}" for k in range(1, N + 1)],
        parameters={
            "Delta": Parameter(1.0, "tunnelling splitting (Delta sigma_x / 2)", "1/time"),
            "epsilon": Parameter(0.0, "bias (epsilon sigma_z / 2)", "1/time"),
            **bath,
            "temperature": Parameter(0.0, "bath temperature (k_B = 1); 0: ground state", "1/time"),
            "gamma_c": Parameter(0.25, "classical decoherence rate along X = sum_k c_k q_k", "1/time"),
            "gamma_q": Parameter(0.25, "qubit dephasing rate, -gamma_q [sigma_z, [sigma_z, rho]]", "1/time"),
            "decoherence": Parameter(1.0, "kappa: multiplies the classical decoherence (>= 1 at the default "
                                          "rates: 16 gamma_c gamma_q kappa >= 1)"),
            "theta": Parameter(0.0, "initial qubit polar angle (0: sigma_z = +1)"),
            "phi": Parameter(0.0, "initial qubit azimuth"),
        },
        classical_hamiltonian=Quadratic(hessian, name="sum_k (p_k^2 + omega_k^2 q_k^2) / 2"),
        quantum_hamiltonian=[("Delta/2", sigma["sx"]), ("epsilon/2", sigma["sz"])],
        couplings=[(Linear(coupling, name="X = sum_k c_k q_k"), sigma["sz"])],
        channels=[
            ("classical-decoherence", {"operator": Linear(decoherence_operator, name="sqrt(kappa) X"),
                                       "rate": "gamma_c"}),
            ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
        ],
        initial_state=initial,
    )
