"""The standard form du = f dt + g dW that the julia backend and jax's generic solvers integrate:
its matrices against the complex-matrix equations written out directly (compiled.py's docstring)."""

import numpy as np
import pytest
import sympy as sp

import cqplug
from cqplug.registry import get_registry
from cqplug.system import compile_system
from cqplug.system.phase_space import parameter_symbol, z_symbol
from cqplug.system.standard_form import standard_form

from .models import momentum_coupled, spin_one, two_qubit_sum

pytestmark = pytest.mark.unit

CASES = [("toy", {}, "cq"), ("toy", {}, "cq-ket"), ("toy", {"gamma_q": 3.0}, "mean-field"),
         ("two-oscillators", {}, "cq"), ("two-oscillators", {}, "cq-ket"), (spin_one(), {}, "cq"),
         (momentum_coupled(), {}, "cq-ket"), (two_qubit_sum(), {}, "cq")]


def numpy_function(function, system):
    values = {parameter_symbol(j): v for j, v in enumerate(system.parameters)}
    exprs = [sp.sympify(e).xreplace(values) for e in function.outputs]
    f = sp.lambdify([[z_symbol(i) for i in range(system.n_z)]], exprs, "numpy")
    return lambda z: np.array(f(list(z)), dtype=float).reshape(len(exprs))


def direct(system):
    """f and g written with complex matrices, term by term, from the SDE in compiled.py."""
    hamilton, couplings = numpy_function(system.hamilton, system), numpy_function(system.couplings, system)
    ket, d, nz = system.state == "ket", system.d, system.n_z

    def split(u):
        size = d if ket else d * d
        q = u[nz:nz + size] + 1j * u[nz + size:]
        return u[:nz], q if ket else q.reshape(d, d)

    def join(z, q):
        q = np.ravel(q)
        return np.concatenate([z, q.real, q.imag])

    def mean(X, q):
        return (np.vdot(q, X @ q) / np.vdot(q, q)).real if ket else (np.trace(X @ q) / np.trace(q)).real

    def f(u):
        z, q = split(u)
        fz = hamilton(z) + system.force @ np.array([mean(L, q) for L in system.L]).reshape(-1)
        H = system.H_Q + sum(h * L for h, L in zip(couplings(z), system.L))
        if ket:
            out = -1j * H @ q
            for C in system.C:
                c = C - mean(C, q) * np.eye(d)
                out = out - 0.5 * c @ c @ q
            for J in system.J:
                out = out - 0.5 * J @ J @ q
        else:
            out = -1j * (H @ q - q @ H)
            for X in list(system.C) + list(system.J):
                out = out + X @ q @ X - 0.5 * (X @ X @ q + q @ X @ X)
        return join(fz, out)

    def g(u):
        z, q = split(u)
        columns = [join(system.sigma[:, j], C @ q - mean(C, q) * q if ket else C @ q + q @ C - 2 * mean(C, q) * q)
                   for j, C in enumerate(system.C)]
        if ket:
            columns += [join(np.zeros(nz), -1j * J @ q) for J in system.J]
        return np.array(columns).T.reshape(len(u), -1)

    return f, g, hamilton, couplings


def random_state(system, rng):
    """An unnormalised state (trace / norm 1.3), as generic solvers produce."""
    d = system.d
    z = rng.normal(size=system.n_z)
    if system.state == "ket":
        q = rng.normal(size=d) + 1j * rng.normal(size=d)
        q *= np.sqrt(1.3) / np.linalg.norm(q)
    else:
        a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
        q = a @ a.conj().T
        q *= 1.3 / np.trace(q).real
    return z, q


@pytest.mark.parametrize("model, params, method_name", CASES)
def test_standard_form_matrices_give_the_sde(model, params, method_name):
    method = get_registry().method(method_name)
    system = compile_system(cqplug.Problem(model, params), method)
    form = standard_form(system)
    f, g, hamilton, couplings = direct(system)
    rng = np.random.default_rng(3)
    for _ in range(3):
        u = form.pack(*random_state(system, rng))
        np.testing.assert_allclose(form.drift(u, hamilton, couplings), f(u), atol=1e-12, rtol=1e-12)
        np.testing.assert_allclose(form.diffusion(u), g(u), atol=1e-12, rtol=1e-12)


def test_projection_returns_the_nearest_physical_state():
    system = compile_system(cqplug.Problem("toy"), get_registry().method("cq"))
    form = standard_form(system)
    rho = np.array([[1.2, 0.9 + 0.1j], [0.9 - 0.1j, -0.1]])  # trace 1.1, one negative eigenvalue
    z, q = form.unpack(form.project(form.pack([0.3, -0.2], rho)))
    w = np.linalg.eigvalsh(q)
    assert w.min() >= -1e-15 and np.trace(q).real == pytest.approx(1.0)
    np.testing.assert_allclose(z, [0.3, -0.2])
    w0, V = np.linalg.eigh(rho)  # the same eigenvectors, the negative eigenvalue dropped
    np.testing.assert_allclose(q, np.outer(V[:, 1], V[:, 1].conj()), atol=1e-12)
