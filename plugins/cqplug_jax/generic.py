"""diffrax's Euler–Maruyama on the standard-form SDE du = f(u) dt + g(u) dW (``solver="euler"``).

f and g are :class:`cqplug.system.standard_form.StandardForm`'s lines written in ``jax.numpy``
on its matrices — the same matrices the julia backend hands to StochasticDiffEq — so running this
solver against the exact solution checks in CI the equations the Julia backend integrates. The
noise is general (non-commuting, several Wiener processes), where diffrax's Itô solvers reduce
to Euler–Maruyama (its Milstein variants need commutative noise): weak order 1.

The solver is stepped by hand (``solver.step`` in a ``lax.scan``) so that after every step the
state is projected back onto physical states (Hermitian part, negative eigenvalues removed,
trace one; kets normalised): Euler–Maruyama keeps neither positivity nor the norm, and a state
that lost positivity makes the measurement terms grow without bound. Each trajectory's Brownian
path is sampled once on the fine grid (:class:`SampledBrownianPath`), so the coarse solve at 2 dt
sees the same path (increments summed in pairs) and the step-error estimate stays coupled.
"""

from __future__ import annotations

import diffrax
import jax
import jax.numpy as jnp
from jax import lax

from cqplug.solving.backend import BLOCK_SIZE as BLOCK

from .reduction import block_statistics
from .split_step import pick, printed_functions

SOLVERS = {"euler": "Euler"}


class SampledBrownianPath(diffrax.AbstractPath):
    """A Brownian path known on the grid t0 + k dt: ``values[k]`` = W(t0 + k dt), cumulative sums of
    N(0, dt) increments. Increments between grid points (a step of dt or of 2 dt) are exact."""

    t0: jax.Array
    t1: jax.Array
    dt: jax.Array
    values: jax.Array  # (steps + 1, noises)

    def evaluate(self, t0, t1=None, left=True):
        def at(t):
            return self.values[jnp.clip(jnp.rint((t - self.t0) / self.dt).astype(int), 0, len(self.values) - 1)]

        return at(t0) if t1 is None else at(t1) - at(t0)


class Structure:
    """The cache key of a generic solve: solver, sizes, steps per save and generated source."""

    def __init__(self, system, functions_source: str, solver: str):
        self.solver, self.state, self.step_error = solver, system.state, system.step_error
        self.sizes = (system.n_z, system.n_noise, system.n_couplings, system.d, system.n_dephasing,
                      system.n_observables, system.saves, system.steps_per_save)
        self.source = functions_source

    def key(self) -> tuple:
        return ("generic", self.solver, self.state, self.step_error, self.sizes, self.source)

    def build(self, cells: int):
        return make_simulate(self, printed_functions(self.source), cells)


def standard_form_functions(structure: Structure, functions: dict, c: dict):
    """(drift, diffusion, unpack, project) of one trajectory, from the standard form's matrices."""
    nz, m, nL, d, r = structure.sizes[:5]
    ket = structure.state == "ket"
    noises = m + (r if ket else 0)
    kappa = 1.0 if ket else 2.0
    hamilton, couplings = functions["hamilton"], functions["couplings"]

    def expectations(forms, x):
        if ket:
            return jnp.einsum("i,kij,j->k", x, forms, x) / (x @ x)
        return forms @ x / (c["trace"] @ x)

    def drift(t, u, args):
        z, x = u[:nz], u[nz:]
        fz = jnp.stack(hamilton(z[:, None], c["params"]))[:, 0]
        fx = c["A0"] @ x
        if nL:
            fz = fz + c["force"] @ expectations(c["expect_L"], x)
            h = jnp.stack(couplings(z[:, None], c["params"]))[:, 0]
            fx = fx + jnp.einsum("a,aij,j->i", h, c["A"], x)
        if ket and m:
            e = expectations(c["expect_C"], x)
            fx = fx + jnp.einsum("j,jik,k->i", e, c["G"][:m], x) - 0.5 * (e @ e) * x
        return jnp.concatenate([fz, fx])

    def diffusion(t, u, args):
        x = u[nz:]
        gx = jnp.einsum("jik,k->ij", c["G"], x)
        if m:
            gx = gx.at[:, :m].add(-kappa * jnp.outer(x, expectations(c["expect_C"], x)))
        gz = jnp.concatenate([c["sigma"], jnp.zeros((nz, noises - m))], axis=1)
        return jnp.concatenate([gz, gx])

    def unpack(u):
        size = (u.shape[-1] - nz) // 2
        q = u[..., nz:nz + size] + 1j * u[..., nz + size:]
        return u[..., :nz], (q if ket else q.reshape(q.shape[:-1] + (d, d)))

    def pack(z, q):
        q = q.reshape(q.shape[:-2] + (-1,)) if not ket else q
        return jnp.concatenate([z, jnp.real(q), jnp.imag(q)], axis=-1)

    def project(u):
        z, q = unpack(u)
        if ket:
            return pack(z, q / jnp.linalg.norm(q))
        w, V = jnp.linalg.eigh(0.5 * (q + jnp.conj(q.T)))
        q = (V * jnp.maximum(w, 0.0)) @ jnp.conj(V.T)
        return pack(z, q / jnp.real(jnp.trace(q)))

    return drift, diffusion, unpack, pack, project, noises


def make_simulate(structure: Structure, functions: dict, cells: int):
    """simulate(c, block_keys, counts, low, width, bins) -> statistics per saved time and block,
    like the split step's."""
    nz, m, nL, d, r, K, saves, steps = structure.sizes
    ket = structure.state == "ket"
    observables = functions["observables"]
    solver = getattr(diffrax, SOLVERS[structure.solver])()

    def simulate(c, block_keys, counts, low, width, bins):
        drift, diffusion, unpack, pack, project, noises = standard_form_functions(structure, functions, c)
        times = c["times"]
        keys = jax.vmap(lambda k: jax.random.fold_in(k, 0))(block_keys)
        xi = jax.vmap(lambda k: jax.random.normal(k, (BLOCK, nz)))(keys).reshape(-1, nz)
        z0 = c["z_mean"][None, :] + xi @ c["z_root"].T
        if ket:
            u0 = jax.vmap(lambda k: jax.random.uniform(jax.random.fold_in(k, 1), (BLOCK,)))(keys).reshape(-1)
            q0 = c["kets"][pick(u0, c["cumulative"][:, None])]
        else:
            q0 = jnp.broadcast_to(c["rho0"], (z0.shape[0], d, d))
        paths = jax.vmap(lambda k: jax.random.split(jax.random.fold_in(k, 2), BLOCK))(block_keys)
        paths = paths.reshape((-1,) + paths.shape[2:])
        start = pack(z0, q0)

        def trajectory(u, key, dt, n_steps):
            """States at the saved times of one trajectory stepped by ``dt`` (n_steps per interval)."""
            if noises:
                increments = jax.random.normal(key, ((saves - 1) * steps, noises)) * jnp.sqrt(c["dt"])
                values = jnp.concatenate([jnp.zeros((1, noises)), jnp.cumsum(increments, axis=0)])
                path = SampledBrownianPath(times[0], times[-1], c["dt"], values)
                terms = diffrax.MultiTerm(diffrax.ODETerm(drift), diffrax.ControlTerm(diffusion, path))
            else:
                terms = diffrax.ODETerm(drift)

            def step(u, k, start):  # one solver step from start + k dt, then back onto physical states
                t = start + k * dt
                u, *_ = solver.step(terms, t, t + dt, u, None, None, made_jump=False)
                return project(u), None

            def interval(u, s):
                u, _ = lax.scan(lambda v, k: step(v, k, times[s]), u, jnp.arange(n_steps))
                return u, u

            _, states = lax.scan(interval, u, jnp.arange(saves - 1))
            return jnp.concatenate([u[None], states])

        def values_of(us):  # us (n, saves, size)
            z, q = unpack(us)
            f = jnp.stack(observables(jnp.moveaxis(z, -1, 0).reshape(nz, -1), c["params"]))  # (K, n*saves)
            f = jnp.moveaxis(f.reshape((K,) + z.shape[:2]), 0, -1)
            if ket:
                trace = jnp.real(jnp.einsum("nti,kij,ntj->ntk", jnp.conj(q), c["B"], q))
            else:
                trace = jnp.real(jnp.einsum("kij,ntji->ntk", c["B"], q))
            return f * trace, z

        values, zs = values_of(jax.vmap(lambda u, k: trajectory(u, k, c["dt"], steps))(start, paths))
        if structure.step_error:
            coarse = values_of(jax.vmap(lambda u, k: trajectory(u, k, 2 * c["dt"], steps // 2))(start, paths))[0]
        else:
            coarse = values

        def statistics(v, cv, z):  # one saved time, (N, K) and (N, 2n)
            return block_statistics(v.T, cv.T, z.T, counts, low, width, bins, cells, structure.step_error)

        return jax.vmap(statistics, in_axes=1)(values, coarse, zs)

    return simulate
