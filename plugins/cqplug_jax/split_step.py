"""The project's split CQ step (:mod:`cqplug.system.compiled`) in JAX, for a batch of trajectories.

Layout: trajectories are the *last* axis of every array (z (2n, N), rho (d, d, N), psi (d, N)),
so a constant map is one matrix product over the whole batch (the superoperator P (d^2, d^2)
times vec(rho) (d^2, N)), a diagonal update is an elementwise loop XLA fuses, and the printed
phase-space functions broadcast over the batch. Within a saved interval, fine steps B(dt) A(dt)
run in a ``fori_loop`` (its length is data, so a new dt does not recompile), the coarse step
B(2 dt) A(2 dt) after every second one with the summed Brownian increments; the interval's last
steps, whose A lasts half as long, are written out after the loop.

Random numbers: each seed block (512 trajectories) has its own key; the normals of step s of
block b are ``normal(fold_in(key_b, s))``, so a batch of many blocks draws exactly what the
blocks would draw one at a time, whatever the batch size or device.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from cqplug.solving.backend import BLOCK_SIZE as BLOCK
from cqplug.system.step_plan import DURATIONS, SCHEDULE, step_plan

from .reduction import block_statistics

SPARSE_MIN_Z = 17  # phase-space variables from which flows and the initial sampling are sparse (n > 8 modes)


class Structure:
    """What the jitted step depends on besides the constants' values: its cache key."""

    def __init__(self, system, functions_source: str):
        self.state, self.commuting, self.channel = system.state, system.commuting, system.constant_channel
        self.sampling, self.step_error = system.sampling, system.step_error
        self.linear = system.linear_flow is not None
        self.sparse = self.linear and system.n_z >= SPARSE_MIN_Z  # a bath: flows and z0 as sparse products
        self.plan = step_plan(system)
        self.sizes = (system.n_z, system.n_noise, system.n_couplings, system.d, self.plan.draws.phase_increments,
                      system.n_observables, system.saves)
        self.residual = bool((system.residual_force != 0).any())
        self.source = functions_source

    def key(self) -> tuple:
        return ("cq", self.state, self.commuting, self.channel, self.sampling, self.step_error, self.linear,
                self.sparse, self.sizes, self.residual, self.source, self.plan)

    def build(self, cells: int):
        return make_simulate(self, printed_functions(self.source), cells)


def printed_functions(source: str) -> dict:
    """The functions defined by JaxPrinter source (generated from parsed expressions, never user text)."""
    namespace = {"jnp": jnp}
    exec(compile(source, "<cqplug phase-space functions>", "exec"), namespace)  # noqa: S102
    return {name: namespace.get(name) for name in ("hamilton", "couplings", "observables")}


def pick(u, cumulative):
    """Per trajectory the index i with cumulative[i-1] <= u < cumulative[i]; ``cumulative`` (k-1, N)
    or (k-1, 1) without its final 1, ``u`` (N,)."""
    return jnp.sum(u[None, :] >= cumulative, axis=0)


def matmul(M, q):
    """M q per trajectory, M (d, d, N) and q (d, N) or (d, d, N): an elementwise loop XLA fuses."""
    return jnp.sum(M[:, :, None] * q[None], axis=1) if q.ndim == 3 else jnp.sum(M * q[None], axis=1)


def make_simulate(structure: Structure, functions: dict, cells: int):
    """A function simulate(constants, block_keys, counts, low, width, bins) -> per saved time and
    seed block the statistics of :func:`.reduction.block_statistics` (arrays (saves, blocks, ...)),
    for 512 trajectories per key; ``functions`` are the printed phase-space functions."""
    nz, m, nL, d, r, K, saves = structure.sizes  # r: the ket's excess-dephasing noises
    at = {path: {what: DURATIONS.index(getattr(schedule, what)) for what in ("start", "coupled", "after", "after_last")}
          for path, schedule in SCHEDULE.items()}  # the index of each operation's tau in c["tau"]
    ket = structure.state == "ket"
    hamilton, observables = functions["hamilton"], functions["observables"]

    def sparse_product(rows, columns, values, x):
        """M x per trajectory for M in coordinate form (rows, columns, values), x (columns, N): O(non-zeros)."""
        return jax.ops.segment_sum(values[:, None] * x[columns], rows, num_segments=nz)

    def couplings(c, z):
        """h_a(z) = G_a z + g_a (the couplings are linear), (nL, N)."""
        return c["G"] @ z + c["g"][:, None]

    def draw(sampler, keys, step, width):
        """(width, N) numbers of step ``step``, block by block."""
        blocks = jax.vmap(lambda key: sampler(jax.random.fold_in(key, step), (width, BLOCK)))(keys)
        return jnp.moveaxis(blocks, 0, 1).reshape(width, -1)

    def expect(B, q):
        """<B_k> per trajectory (k, N): Tr(B rho) or <psi|B|psi>, B (k, d, d)."""
        if ket:
            return jnp.real(jnp.einsum("in,kij,jn->kn", jnp.conj(q), B, q))
        return jnp.real(jnp.einsum("kij,jin->kn", B, q))

    def probabilities(q):
        return jnp.abs(q) ** 2 if ket else jnp.real(jnp.diagonal(q, axis1=0, axis2=1).T)

    def normalise(q):
        if ket:
            return q / jnp.sqrt(jnp.sum(jnp.abs(q) ** 2, axis=0))
        return q / jnp.real(jnp.trace(q))

    def apply_diagonal(q, g):
        """q <- diag(g) q diag(g)^* (densities) or g q (kets), normalised; g (d, N). The norm comes
        from the probabilities first, so the (d, d, N) update is one product per entry."""
        g = g / jnp.sqrt(jnp.sum(jnp.abs(g) ** 2 * probabilities(q), axis=0))
        return q * g if ket else g[:, None] * q * jnp.conj(g)[None, :]

    def rotate(V, q, inverse=False):
        """V^+ q V (inverse) or V q V^+ for a constant V; kets V^+ q or V q."""
        W = jnp.conj(V.T) if inverse else V
        return W @ q if ket else jnp.einsum("ij,jkn,lk->iln", W, q, jnp.conj(W))

    def flow(c, z, tau_index):
        if structure.sparse:
            return sparse_product(c["Phi_rows"], c["Phi_columns"], c["Phi_values"][tau_index], z) + \
                c["phi"][tau_index][:, None]
        if structure.linear:
            return c["Phi"][tau_index] @ z + c["phi"][tau_index][:, None]
        tau = c["tau"][tau_index]
        f1 = jnp.stack(hamilton(z, c["params"]))
        f2 = jnp.stack(hamilton(z + tau * f1, c["params"]))
        return z + 0.5 * tau * (f1 + f2)

    def constant_quantum(c, q, tau_index, uk):
        if ket and structure.channel == "kraus":  # sample K_i with probability |K_i psi|^2 (padding: weight 0)
            phi = jnp.einsum("kij,jn->kin", c["Kraus"][tau_index], q)
            weights = jnp.sum(jnp.abs(phi) ** 2, axis=1)
            chosen = jnp.take_along_axis(phi, pick(uk, jnp.cumsum(weights, axis=0)[:-1])[None, None, :], axis=0)[0]
            return normalise(chosen)
        if ket:
            return c["U"][tau_index] @ q
        if structure.channel == "superoperator":
            return (c["P"][tau_index] @ q.reshape(d * d, -1)).reshape(q.shape)
        gamma = c["Gamma"][tau_index][:, :, None]
        return rotate(c["U"][tau_index], q * gamma) * gamma

    def constant(c, state, tau_index, uk=None):
        z, q = state
        return flow(c, z, tau_index), constant_quantum(c, q, tau_index, uk)

    def record_increment(p, noise, u, tau, cvals, pair_products):
        """dY (m, N) from the exact law of the record (mixture or moment-matched Gaussian); p (d, N)."""
        if structure.sampling == "branch":
            return noise + 2.0 * tau * cvals[:, pick(u, jnp.cumsum(p, axis=0)[:-1])]
        mu = cvals @ p
        if cvals.shape[0] == 1:
            var = jnp.maximum(cvals[0] ** 2 @ p - mu[0] ** 2, 0.0)
            return 2.0 * tau * mu + noise * jnp.sqrt(1.0 + 4.0 * tau * var)
        second = jnp.einsum("jki,in->njk", pair_products, p)
        cov = jnp.eye(cvals.shape[0]) + 4.0 * tau * (second - (mu.T[:, :, None] * mu.T[:, None, :]))
        return 2.0 * tau * mu + jnp.einsum("njk,kn->jn", jnp.linalg.cholesky(cov), noise)

    def coupled_commuting(c, state, dW, u, w, tau):
        """B for commuting couplings: everything diagonal in the working basis."""
        z, q = state
        p = probabilities(q)
        kick = jnp.zeros_like(z)
        a = jnp.zeros_like(p)
        if m:
            dY = record_increment(p, dW, u, tau, c["cvals"], c["cc"])
            kick = c["sigma"] @ dY
            a = c["cvals"].T @ dY - tau * c["csq"][:, None]
        if structure.residual:
            kick = kick + tau * c["force_res"] @ (c["lvals"] @ p)
        phase = jnp.zeros_like(p)
        if nL:
            h = couplings(c, z + 0.5 * kick)  # at the midpoint
            phase = tau * c["lcentred"].T @ h
        if r:
            phase = phase + c["jcentred"].T @ w
        g = jnp.exp(a - jnp.max(a, axis=0)) * jnp.exp(-1j * phase)
        return z + kick, apply_diagonal(q, g)

    def coupled_general(c, state, halves, u_halves, phase_halves, tau):
        """The palindrome: half measurements in their eigenbases, coupling unitary, halves reversed."""
        z, q = state
        half = 0.5 * tau
        order = structure.plan.palindrome

        def measure(q, j, noise, u):
            V, cj = c["V"][j], c["cgen"][j][None, :]
            q = rotate(V, q, inverse=True)
            dY = record_increment(probabilities(q), noise[None], u, half, cj, cj[:, None, :] ** 2)
            a = cj.T * dY - half * cj.T ** 2
            q = apply_diagonal(q, jnp.exp(a - jnp.max(a, axis=0)).astype(q.dtype))
            return rotate(V, q), dY[0]

        def dephase(q, k, w):
            return rotate(c["Vr"][k], jnp.exp(-1j * c["jr"][k][:, None] * w[None]) * rotate(c["Vr"][k], q, True))

        for h, sequence in ((0, order), (1, order[::-1])):
            dY = [None] * m
            for kind, index in sequence:
                if kind == "measure":
                    q, dY[index] = measure(q, index, halves[h][index], u_halves[h][index])
                else:
                    q = dephase(q, index, phase_halves[h][index])
            if m:
                z = z + c["sigma"] @ jnp.stack(dY)
            if structure.residual:
                z = z + half * c["force_res"] @ expect(c["L"], q)
            if h == 0 and nL:
                hz = couplings(c, z)  # (nL, N)
                D = tau * jnp.einsum("an,aij->ijn", hz, c["L"])
                M = jnp.eye(d)[:, :, None] - 1j * D - 0.5 * matmul(D, D)
                q = normalise(matmul(M, q) if ket else
                              jnp.conj(jnp.swapaxes(matmul(M, jnp.conj(jnp.swapaxes(matmul(M, q), 0, 1))), 0, 1)))
        return z, q

    def draws(c, keys, step):
        """One fine step's numbers: dW ~ N(0, dt) (m, N), uniforms, ket phase increments, bridge splits."""
        numbers = structure.plan.draws
        width = numbers.increments + numbers.phase_increments + numbers.bridge_splits + numbers.phase_splits
        xs = draw(jax.random.normal, keys, 2 * step, max(width, 1))
        dW, w, split = c["sqrt_dt"] * xs[:m], c["sqrt_dt"] * xs[m:m + r], xs[m + r:]
        count = numbers.uniforms
        u = draw(jax.random.uniform, keys, 2 * step + 1, count) if count else jnp.zeros((max(1, 2 * m), xs.shape[1]))
        return dW, u, w, split

    def kraus_uniform(keys, index):
        """The uniform that picks a Kraus operator (kets with quantum Lindblad channels), else None."""
        return draw(jax.random.uniform, keys, index, 1)[0] if structure.plan.draws.kraus else None

    def coupled(c, state, dW, u_pair, w, tau, halves, phase_halves):
        if structure.commuting:
            return coupled_commuting(c, state, dW, u_pair[0][0], w, tau)
        return coupled_general(c, state, halves, u_pair, phase_halves, tau)

    def observe(c, state):
        z, q = state
        f = jnp.stack(observables(z, c["params"]))  # (K, N)
        return f * expect(c["B"], q), z

    def simulate(c, block_keys, counts, low, width, bins):
        def statistics(fine, coarse):
            values, z = observe(c, fine)
            coarse_values = observe(c, coarse)[0] if structure.step_error else values
            return block_statistics(values, coarse_values, z, counts, low, width, bins, cells, structure.step_error)

        keys = jax.vmap(lambda k: jax.random.fold_in(k, 0))(block_keys)
        step_keys = jax.vmap(lambda k: jax.random.fold_in(k, 1))(block_keys)
        kraus_keys = jax.vmap(lambda k: jax.random.fold_in(k, 2))(block_keys)  # steps 0.., interval starts -1, -2..
        xi = draw(jax.random.normal, keys, 0, nz)
        z0 = c["z_mean"][:, None] + (sparse_product(c["root_rows"], c["root_columns"], c["root_values"], xi)
                                     if structure.sparse else c["z_root"] @ xi)
        n = z0.shape[1]
        if ket:
            q0 = c["kets"][pick(draw(jax.random.uniform, keys, 1, 1)[0], c["cumulative"][:, None])].T
        else:
            q0 = jnp.broadcast_to(c["rho0"][:, :, None], (d, d, n))
        fine = coarse = (z0, q0)

        def fine_step(state, step, last):
            dW, u, w, split = draws(c, step_keys, step)
            halves = phase_halves = None
            if not structure.commuting:
                s = 0.5 * c["sqrt_dt"]
                halves = (0.5 * dW + s * split[:m], 0.5 * dW - s * split[:m])
                phase_halves = (0.5 * w + s * split[m:], 0.5 * w - s * split[m:])
            u_pair = (u, u) if structure.commuting else (u[:m], u[m:])
            state = coupled(c, state, dW, u_pair, w, c["tau"][at["fine"]["coupled"]], halves, phase_halves)
            uk = kraus_uniform(kraus_keys, step)
            return constant(c, state, at["fine"]["after_last" if last else "after"], uk), (dW, u, w, uk)

        def coarse_step(state, first, second, last):
            u_pair = (first[1], second[1]) if structure.commuting else (first[1][:m], second[1][:m])
            tau = c["tau"][at["coarse"]["coupled"]]
            state = coupled(c, state, first[0] + second[0], u_pair, first[2] + second[2], tau,
                            (first[0], second[0]), (first[2], second[2]))
            return constant(c, state, at["coarse"]["after_last" if last else "after"], second[3])

        def pair(states, base, index, last):
            fine, coarse = states
            fine, first = fine_step(fine, base + 2 * index, False)
            fine, second = fine_step(fine, base + 2 * index + 1, last)
            if structure.step_error:
                coarse = coarse_step(coarse, first, second, last)
            return fine, coarse

        def interval(states, s):
            base = (s - 1) * 2 * c["pairs"]
            fine, coarse = states
            uk = kraus_uniform(kraus_keys, -s)
            states = (constant(c, fine, at["fine"]["start"], uk),
                      constant(c, coarse, at["coarse"]["start"], uk) if structure.step_error else coarse)
            states = lax.fori_loop(0, c["pairs"] - 1, lambda i, st: pair(st, base, i, False), states)
            fine, coarse = pair(states, base, c["pairs"] - 1, True)
            return (fine, coarse), statistics(fine, coarse)

        _, rest = lax.scan(interval, (fine, coarse), jnp.arange(1, saves))
        return jax.tree.map(lambda first, later: jnp.concatenate([first[None], later]), statistics(fine, coarse), rest)

    return simulate
