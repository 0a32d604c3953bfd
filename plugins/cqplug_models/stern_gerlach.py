"""Stern–Gerlach: a free particle measuring a spin-1/2 through a magnetic-field gradient.

    H = p^2/(2m) + b x sigma_z          (hbar = 1; b = field gradient x magnetic moment)
    d rho/dt = -i[H, rho] - gamma_c [x,[x,rho]] - gamma_q [sigma_z,[sigma_z,rho]]

The force -b sigma_z splits a wave packet into two branches, centred at
x0 + p0 t/m -+ b t^2/(2m) for spin up / down (sigma_z = +1 / -1), with probabilities cos^2(theta/2)
and sin^2(theta/2): the textbook measurement, with x as the classical pointer. The CQ description
is exact (H_C quadratic, coupling linear in x) when 16 gamma_c gamma_q >= b^2.
Initial state: a minimum-uncertainty packet of width sigma at (x0, p0), spin
cos(theta/2)|up> + e^{i phi} sin(theta/2)|down>.
"""

import numpy as np

from cqplug import InitialState, Model, Parameter, pauli_matrices, qubit_state, wave_packet


def stern_gerlach() -> Model:
    sigma = pauli_matrices()
    return Model(
        "stern-gerlach",
        description=__doc__,
        t_final=2.0,  # the exact reference needs ~80 Fock states here, ~650 at 2 pi
        coordinates=["x"],
        momenta=["p"],
        parameters={
            "m": Parameter(1.0, "particle mass"),
            "b": Parameter(1.0, "field gradient times magnetic moment (force per unit sigma_z)"),
            "gamma_c": Parameter(0.25, "position decoherence rate, -gamma_c [x,[x,rho]]"),
            "gamma_q": Parameter(0.25, "spin dephasing rate, -gamma_q [sigma_z,[sigma_z,rho]]"),
            "x0": Parameter(0.0, "initial packet centre, position"),
            "p0": Parameter(0.0, "initial packet centre, momentum"),
            "sigma": Parameter(1.0, "initial packet width (standard deviation of x)"),
            "theta": Parameter(np.pi / 2, "initial spin polar angle (Bloch sphere)"),
            "phi": Parameter(0.0, "initial spin azimuth"),
        },
        classical_hamiltonian="p**2/(2*m)",
        couplings=[("b*x", sigma["sz"])],
        channels=[
            ("classical-decoherence", {"operator": "x", "rate": "gamma_c"}),
            ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
        ],
        initial_state=lambda p: InitialState(
            wave_packet(p["x0"], p["p0"], p["sigma"]), qubit_state(p["theta"], p["phi"])
        ),
    )
