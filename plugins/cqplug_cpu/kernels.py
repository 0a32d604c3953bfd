"""Numba kernels for blocks of CQ trajectories (physics.md §5), for any n and d.

One step of length dt, Itô, one Wiener increment dW (m components) shared by C and Q:

    z   <- z + [drift(z, <L>)] dt + sigma dW
    dY_j = dW_j + 2 <C_j> dt,           C_j = sum_a K_aj L_a
    M    = A0 - i dt H - (dt^2/2) H^2 + sum_j [dY_j C_j + (dY_j^2 - dt) C_j^2 / 2]
           with A0 = 1 - (dt/2) sum_ab D0_ab L_a L_b and H = H(z) at the step's midpoint
    ket:     psi <- M_w psi / norm,   M_w = M - sum_r [i w_r J_r + (w_r^2 - dt) J_r^2 / 2],
             w = dW' independent noises unravelling the excess dephasing E = D0 - K K^T
    density: rho <- sum_g weight_g M_g rho M_g^+ / Tr(M_g rho M_g^+),   M_g = M_w at the
             Gauss-Hermite points w in {0, +-sqrt(3 dt)}^r, weights (2/3, 1/6, 1/6) per noise:
             the ket map averaged over w exactly through fifth moments (positivity preserving;
             a plain "+ dt J rho J" term instead is biased by ~2 e^2 dt T in the coherences)

z moves by a Heun predictor-corrector (the noise sigma dW is additive). The H^2 term makes the
unitary part second order (without it, renormalising M rho M^+ distorts coherences at a rate
~ (level splitting)^2 dt); the C^2 and J^2 terms are Rouchon–Ralph's second-order corrections.

The quantum algebra is written out as loops over d (no small-matrix broadcasting, no
allocation inside the time loop). ``make_kernel`` closes the generic loop over the model's
generated, jitted phase-space functions.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_OK, _DIVERGED = 0, 1
# reassociation and contraction, but NaN/Inf keep their meaning (the divergence check relies on it)
_FAST = {"reassoc", "contract", "arcp", "nsz"}


@njit(inline="always")
def _record(s, t, z, val, fvals, obsB, q, is_ket, mean, m2, hist, hist_low, hist_inv_width, bins, paths, path_z):
    """Observable values at saved time s for trajectory t; Welford update; histograms; paths."""
    d = q.shape[0]
    for k in range(val.shape[0]):
        acc = 0.0
        if is_ket:
            for i in range(d):
                row = 0j
                for j in range(d):
                    row += obsB[k, i, j] * q[j, 0]
                acc += (q[i, 0].conjugate() * row).real
        else:
            for i in range(d):
                for j in range(d):
                    acc += (obsB[k, i, j] * q[j, i]).real
        val[k] = fvals[k] * acc
        delta = val[k] - mean[k, s]
        mean[k, s] += delta / (t + 1)
        m2[k, s] += delta * (val[k] - mean[k, s])
    for v in range(z.shape[0]):
        x = (z[v] - hist_low[v]) * hist_inv_width[v]
        b = 0 if x < 0.0 else (bins + 1 if not x < bins else int(x) + 1)
        hist[v, s, b] += 1
    if t < paths.shape[0]:
        for k in range(val.shape[0]):
            paths[t, s, k] = val[k]
        for v in range(z.shape[0]):
            path_z[t, s, v] = z[v]


def make_kernel(drift, couplings, observables, is_ket: bool, sizes: tuple):
    """A jitted block kernel for the model functions ``drift``, ``couplings``, ``observables``.

    ``sizes`` = (2n, number of noises m, number of couplings, d, number of excess-dephasing
    operators r) become compile-time constants, so the small loops over them are unrolled.
    """
    NZ, M_NOISE, N_L, D, R = sizes

    @njit(nogil=True, fastmath=_FAST)
    def run_block(n_traj, rng, params, z_mean, z_root, q_init, q_weights, sigma, K, C, CC, J, JJ, gh_points,
                  gh_weights, A0, HQ, L, obsB,
                  dt, steps_per_save, hist_low, hist_inv_width, bins, mean, m2, hist, paths, path_z):
        nz, m, nL, d, r = NZ, M_NOISE, N_L, D, R
        n_save, n_obs = mean.shape[1], mean.shape[0]
        sqdt = math.sqrt(dt)
        z = np.empty(nz)
        f = np.empty(nz)
        f_pred = np.empty(nz)
        z_pred = np.empty(nz)
        noise = np.empty(nz)
        h_mid = np.empty(nL)
        h = np.empty(nL)
        expL = np.empty(nL)
        dW = np.empty(m)
        dY = np.empty(m)
        dWx = np.empty(r)
        normals = np.empty(nz)
        fvals = np.empty(n_obs)
        val = np.empty(n_obs)
        M = np.empty((d, d), dtype=np.complex128)
        Hz = np.empty((d, d), dtype=np.complex128)
        Mg = np.empty((d, d), dtype=np.complex128)
        T = np.empty((d, d), dtype=np.complex128)
        new = np.empty((d, d), dtype=np.complex128)
        ncol = 1 if is_ket else d
        q = np.empty((d, ncol), dtype=np.complex128)
        qn = np.empty((d, ncol), dtype=np.complex128)
        for t in range(n_traj):
            # --- initial state: z0 ~ N(mean, chol chol^T); ket drawn from the mixture if mixed
            for i in range(nz):
                normals[i] = rng.standard_normal()
            for i in range(nz):
                acc = z_mean[i]
                for j in range(nz):
                    acc += z_root[i, j] * normals[j]
                z[i] = acc
            pick = 0
            if is_ket and q_weights.shape[0] > 1:
                u = rng.random()
                while pick < q_weights.shape[0] - 1 and u >= q_weights[pick]:
                    pick += 1
            for i in range(d):
                for j in range(ncol):
                    q[i, j] = q_init[pick, i, j]
            for s in range(n_save):
                if s > 0:
                    for _ in range(steps_per_save):
                        # expectations <L_a> in the current state
                        for a in range(nL):
                            acc = 0.0
                            for i in range(d):
                                if is_ket:
                                    row = 0j
                                    for j in range(d):
                                        row += L[a, i, j] * q[j, 0]
                                    acc += (q[i, 0].conjugate() * row).real
                                else:
                                    for j in range(d):
                                        acc += (L[a, i, j] * q[j, i]).real
                            expL[a] = acc
                        couplings(z, params, h)
                        drift(z, params, expL, f)
                        for j in range(m):
                            dW[j] = sqdt * rng.standard_normal()
                            acc = 0.0
                            for a in range(nL):
                                acc += K[a, j] * expL[a]
                            dY[j] = dW[j] + 2.0 * dt * acc
                        if is_ket:
                            for j in range(r):
                                dWx[j] = sqdt * rng.standard_normal()
                        # Heun predictor-corrector for z (the noise is additive, so this is
                        # consistent with Ito and second order in the Hamiltonian flow)
                        for i in range(nz):
                            acc = 0.0
                            for j in range(m):
                                acc += sigma[i, j] * dW[j]
                            noise[i] = acc
                            z_pred[i] = z[i] + f[i] * dt + acc
                        drift(z_pred, params, expL, f_pred)
                        for i in range(nz):
                            z[i] += 0.5 * (f[i] + f_pred[i]) * dt + noise[i]
                        # the coupling at the step's midpoint
                        for i in range(nz):
                            z_pred[i] = 0.5 * (z_pred[i] + z[i])
                        couplings(z_pred, params, h_mid)
                        for a in range(nL):
                            h[a] = 0.5 * (h[a] + h_mid[a])
                        # M = A0 - i dt H - dt^2 H^2 / 2 + sum_j [dY_j C_j + (dY_j^2 - dt) C_j^2 / 2]
                        #     (kets: - sum_r [i dW'_r J_r + (dW'_r^2 - dt) J_r^2 / 2])
                        for i in range(d):
                            for k in range(d):
                                hik = HQ[i, k]
                                for a in range(nL):
                                    hik += h[a] * L[a, i, k]
                                Hz[i, k] = hik
                        for i in range(d):
                            for k in range(d):
                                h2 = 0j
                                for l in range(d):
                                    h2 += Hz[i, l] * Hz[l, k]
                                mik = A0[i, k] - 1j * dt * Hz[i, k] - 0.5 * dt * dt * h2
                                for j in range(m):
                                    mik += dY[j] * C[j, i, k] + 0.5 * (dY[j] * dY[j] - dt) * CC[j, i, k]
                                if is_ket:
                                    for j in range(r):
                                        mik -= 1j * dWx[j] * J[j, i, k] + 0.5 * (dWx[j] * dWx[j] - dt) * JJ[j, i, k]
                                M[i, k] = mik
                        norm = 0.0
                        if is_ket:
                            for i in range(d):
                                acc_c = 0j
                                for k in range(d):
                                    acc_c += M[i, k] * q[k, 0]
                                qn[i, 0] = acc_c
                                norm += acc_c.real * acc_c.real + acc_c.imag * acc_c.imag
                            norm = math.sqrt(norm)
                        else:
                            # rho' = sum_g weight_g N_g / Tr N_g,  N_g = M_g rho M_g^+, where M_g is the ket
                            # map with the excess-dephasing noises at Gauss-Hermite point g (exact
                            # through fifth moments); no excess dephasing: one point, M_g = M
                            for i in range(d):
                                for k in range(d):
                                    qn[i, k] = 0j
                            for g in range(gh_weights.shape[0]):
                                for i in range(d):
                                    for k in range(d):
                                        mik = M[i, k]
                                        for j in range(r):
                                            w = gh_points[g, j]
                                            mik -= 1j * w * J[j, i, k] + 0.5 * (w * w - dt) * JJ[j, i, k]
                                        Mg[i, k] = mik
                                for i in range(d):
                                    for k in range(d):
                                        acc_c = 0j
                                        for l in range(d):
                                            acc_c += Mg[i, l] * q[l, k]
                                        T[i, k] = acc_c
                                trace = 0.0
                                for i in range(d):  # Hermitian: upper triangle
                                    for k in range(i, d):
                                        acc_c = 0j
                                        for l in range(d):
                                            acc_c += T[i, l] * Mg[k, l].conjugate()
                                        new[i, k] = acc_c
                                    trace += new[i, i].real
                                if not (trace > 0.0 and trace < 1e300):
                                    return _DIVERGED
                                scale = gh_weights[g] / trace
                                for i in range(d):
                                    qn[i, i] += scale * new[i, i].real
                                    for k in range(i + 1, d):
                                        qn[i, k] += scale * new[i, k]
                                        qn[k, i] += scale * new[i, k].conjugate()
                            norm = 1.0
                        if not (norm > 0.0 and norm < 1e300):
                            return _DIVERGED
                        for i in range(d):
                            for k in range(ncol):
                                q[i, k] = qn[i, k] / norm
                observables(z, params, fvals)
                _record(s, t, z, val, fvals, obsB, q, is_ket, mean, m2, hist, hist_low, hist_inv_width, bins,
                        paths, path_z)
        return _OK

    return run_block
