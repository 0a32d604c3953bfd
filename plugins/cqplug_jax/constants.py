"""The numbers the jitted steps read, as a dict of arrays (arguments, so new values never recompile).

Propagators come in threes, for the durations ``tau = (dt/2, dt, 2 dt)`` the split step uses:
the exact classical flow (Phi, phi), the quantum part of A (``P``: the complex d^2 x d^2
superoperator exp(tau L_0) on row-major vec(rho); ``U``: exp(-i tau H_Q) for kets and the split
channel, with ``Gamma`` the dephasing factors of tau/2 around it; ``Kraus``: the Kraus operators of
exp(tau L_0) for kets with quantum Lindblad channels).
"""

from __future__ import annotations

import numpy as np

from cqplug.system import quantum
from cqplug.system.standard_form import standard_form

from .split_step import SPARSE_MIN_Z


def _common(system) -> dict:
    taus = (0.5 * system.dt, system.dt, 2.0 * system.dt)
    return {
        "params": np.asarray(system.parameters, dtype=float),
        "tau": np.array(taus), "dt": np.float64(system.dt), "sqrt_dt": np.float64(np.sqrt(system.dt)),
        "pairs": np.int64(system.steps_per_save // 2), "times": np.asarray(system.times, dtype=float),
        "B": system.observable_operators, "z_mean": system.z_mean, "z_root": system.z_root,
        "rho0": system.rho0, "kets": system.kets, "cumulative": system.ket_cumulative[:-1],
    }


def split_step_constants(system) -> dict:
    """Everything :mod:`.split_step` reads (see there for how each enters the step)."""
    c = _common(system)
    taus = c["tau"]
    G, g = system.couplings.linear
    c.update(sigma=system.sigma, force_res=system.residual_force, L=system.L,
             G=np.asarray(G.toarray() if hasattr(G, "toarray") else G, dtype=float), g=np.asarray(g, dtype=float))
    if system.linear_flow is not None and system.n_z >= SPARSE_MIN_Z:  # coordinate form, one pattern
        from scipy.sparse import csr_matrix

        flows = [system.linear_flow.sparse_propagator(t) for t in taus]
        pattern = sum((abs(Phi) for Phi, _ in flows), csr_matrix((system.n_z, system.n_z))).tocoo()
        c["Phi_rows"], c["Phi_columns"] = pattern.row, pattern.col
        c["Phi_values"] = np.array([np.asarray(Phi[pattern.row, pattern.col]).ravel() for Phi, _ in flows])
        c["phi"] = np.array([phi for _, phi in flows])
        root = csr_matrix(system.z_root).tocoo()
        c["root_rows"], c["root_columns"], c["root_values"] = root.row, root.col, root.data
        del c["z_root"]
    elif system.linear_flow is not None:
        flows = [system.classical_propagator(t) for t in taus]
        c["Phi"], c["phi"] = np.array([f[0] for f in flows]), np.array([f[1] for f in flows])
    channel = system.constant_channel
    if channel == "superoperator":
        c["P"] = np.array([system.channel_superoperator(t) for t in taus])
    elif channel == "kraus":  # padded with zero operators to one count (they are never drawn)
        sets = [system.kraus_operators(t) for t in taus]
        count = max(len(k) for k in sets)
        c["Kraus"] = np.array([np.concatenate([k, np.zeros((count - len(k), system.d, system.d))]) for k in sets])
    else:
        c["U"] = np.array([system.hamiltonian_propagator(t) for t in taus])
        if channel == "split":
            c["Gamma"] = np.array([system.dephasing_factors(0.5 * t) for t in taus])
    if system.commuting:
        cvals, lvals, jvals = (system.measurement_eigenvalues, system.coupling_eigenvalues,
                               system.dephasing_eigenvalues)
        c.update(cvals=cvals, lvals=lvals, cc=cvals[:, None, :] * cvals[None, :, :], csq=(cvals ** 2).sum(axis=0),
                 lcentred=quantum.centred(lvals))
        if system.state == "ket":  # densities carry the excess dephasing in the constant channel
            c["jcentred"] = quantum.centred(jvals)
    else:
        c["V"], c["cgen"] = system.eigen(system.C)
        if system.state == "ket":
            c["Vr"], c["jr"] = system.eigen(system.J)
    return c


def generic_constants(system) -> dict:
    """Everything :mod:`.generic` reads: the standard form's matrices and the initial state."""
    form = standard_form(system)
    c = _common(system)
    c.update(A0=form.A0, A=form.A, G=form.G, sigma=form.sigma, force=form.force, expect_L=form.expect_L,
             expect_C=form.expect_C, trace=form.trace)
    return c

