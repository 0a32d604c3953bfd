"""Decoherence channels: the environments of C and Q.

Two conventions meet here. The Lindblad form ``rate * D[J]`` with
``D[J] rho = J rho J^+ - {J^+ J, rho}/2`` is the general one; the double-commutator form
``-gamma [X, [X, rho]]`` of the first channels ("convention A", physics.md §2) is the special
case ``-gamma [X, [X, rho]] = 2 gamma D[X]`` for Hermitian X. Every channel answers the same
questions (the :class:`Channel` protocol), so nothing else in cqplug switches on its kind:

* ``diffusion(model, params)``: its part of the classical diffusion matrix D2 (2n x 2n);
* ``decoherence(model, params)``: its part of the quantum decoherence matrix D0 over the L_a;
* ``drift(model)``: its linear drift of z (friction), 2n SymPy expressions added to dz/dt
  (``drift_matrix(model, params)``: the same as numbers);
* ``jump_operators(model, params)``: purely quantum Lindblad operators on Q, sqrt(rate) J each;
* ``lindblad_terms(model)``: ``(weight, f(z), B)`` with the channel = sum weight * rate * D[Weyl(f) (x) B],
  for the exact reference;
* ``formula(model)``: how the master equation reads, e.g. ``-gamma_c [q, [q, rho]]``.

Four primitives build every channel:

* :class:`ClassicalDecoherence` — ``-rate [X, [X, rho]]`` with X(z) real and linear in z. In the
  partial Wigner picture: phase-space diffusion D2 = 2 rate v v^T, v = Omega^T grad X
  (decoherence of position q gives momentum diffusion).
* :class:`QuantumDephasing` — ``-rate [X, [X, rho]]`` with X = sum_a u_a L_a, a combination of the
  coupling operators: D0 += 2 rate u u^T.
* :class:`ClassicalLindblad` — ``rate * D[l(z)]`` with l = A + i B linear in z with complex
  coefficients (e.g. an oscillator's annihilation operator). Exactly (physics.md §9), with
  u_X = Omega^T grad X: diffusion D2 += rate (u_A u_A^T + u_B u_B^T), which counts toward the
  trade-off, and the linear drift dz/dt += rate (A(z) u_B - B(z) u_A), i.e. friction.
* :class:`QuantumLindblad` — ``rate * D[J]`` with J any d x d matrix acting on Q alone (not
  necessarily Hermitian, not necessarily related to the couplings). Completely positive on its
  own, it neither relaxes nor tightens the trade-off; the trajectories apply it inside the exact
  constant channel exp(tau L_0).

The rates are parameter names; the Lindblad primitives take an optional ``scale`` (an expression
of parameters, default 1): the channel is then ``rate * scale * D[.]`` (a thermal bath's n + 1 and n).
Channel plugins register factories returning lists of these (see ``hookspecs``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..errors import InvalidProblem
from .arrays import Linear
from .expressions import as_expression
from .labels import operator_label
from .states import symplectic_form


class Channel:
    """The protocol every channel follows (see the module docstring)."""

    rate: str

    def validate(self, model) -> None:
        """Raise InvalidProblem when the channel does not fit ``model``."""

    def diffusion(self, model, params: dict) -> np.ndarray:
        """Contribution to D2 at the channel's rate."""
        return np.zeros((2 * model.n, 2 * model.n))

    def decoherence(self, model, params: dict) -> np.ndarray:
        """Contribution to D0 (over the coupling operators) at the channel's rate."""
        n_L = len(model.couplings)
        return np.zeros((n_L, n_L))

    def validate_values(self, model, params: dict) -> None:
        """Raise InvalidProblem when the channel does not fit the parameter values (scales >= 0)."""

    def drift(self, model) -> list | None:
        """Its linear drift of z: 2n SymPy expressions in the model's symbols (None: no drift, or only
        numbers: see ``drift_matrix``)."""
        return None

    def drift_matrix(self, model, params: dict) -> tuple | None:
        """Its drift as (matrix (2n, 2n), offset (2n,)) at these parameter values (None: no drift). The
        default evaluates ``drift``; a channel declared with arrays gives it directly."""
        drift = self.drift(model)
        if drift is None:
            return None
        rows = [model.linear_coefficients(f, params, "a channel's drift") for f in drift]
        return np.array([v for v, _ in rows]), np.array([c for _, c in rows])

    def jump_operators(self, model, params: dict) -> list:
        """Its purely quantum Lindblad operators sqrt(rate) J (d x d complex), applied as sum D[.]."""
        return []

    def operator(self, model) -> tuple:
        """(f(z), B): the channel's operator is X = Weyl(f) (x) B (double-commutator channels)."""
        raise NotImplementedError

    def lindblad_terms(self, model) -> list:
        """[(weight, f(z), B)]: the channel is sum weight * rate * D[Weyl(f) (x) B] (for the exact reference).
        Double-commutator channels: -rate [X, [X, rho]] = 2 rate D[X]."""
        f, B = self.operator(model)
        return [(2, f, B)]

    def symbolic_diffusion(self, model):
        """D2 part as a SymPy matrix in the model's symbols (None: not available symbolically)."""
        return None

    def symbolic_decoherence(self, model):
        """D0 part as a SymPy matrix in the model's symbols (None: not available symbolically)."""
        return None

    def formula(self, model) -> str:
        """The channel's term of the master equation, in words."""
        raise NotImplementedError


@dataclass(frozen=True)
class ClassicalDecoherence(Channel):
    """Decoherence of C through X(z) (linear in z) at rate ``rate`` (a parameter name)."""

    operator_expression: object
    rate: str

    def expression(self, model):
        """X(z) parsed in the model's symbols (or a :class:`cqplug.Linear`); refused unless linear in z."""
        X = model.expression(self.operator_expression, "a classical decoherence operator")
        if isinstance(X, Linear):
            return X
        degree = model.polynomial_degree(X)
        if degree is None or degree > 1 or not any(X.has(s) for s in model.z):
            raise InvalidProblem(
                f"classical decoherence operator {X} must be linear in {', '.join(map(str, model.z))} "
                "(it determines a constant diffusion matrix D2)"
            )
        return X

    def validate(self, model) -> None:
        self.expression(model)

    def validate_values(self, model, params: dict) -> None:
        X = self.expression(model)
        if isinstance(X, Linear):
            v, _ = model.linear_coefficients(X, params, "a classical decoherence operator")
            if not np.any(v):
                raise InvalidProblem("classical decoherence operator: its vector is zero at these parameters; "
                                     "a constant operator is no environment of C")

    def diffusion(self, model, params: dict) -> np.ndarray:
        """D2 = 2 gamma v v^T with v = Omega^T grad X."""
        u, _ = model.linear_coefficients(self.expression(model), params, "a classical decoherence operator")
        v = symplectic_form(model.n).T @ u
        return 2.0 * params[self.rate] * np.outer(v, v)

    def operator(self, model) -> tuple:
        return self.expression(model), np.eye(model.d, dtype=complex)

    def symbolic_diffusion(self, model):
        X = self.expression(model)
        if isinstance(X, Linear):
            return None
        u = sp.Matrix([sp.diff(X, s) for s in model.z])
        v = sp.Matrix(symplectic_form(model.n).T.astype(int)) * u
        return 2 * model.parameter_symbols[self.rate] * v * v.T

    def symbolic_decoherence(self, model):
        n_L = len(model.couplings)
        return sp.zeros(n_L, n_L)

    def formula(self, model) -> str:
        X = self.expression(model)
        return f"-{self.rate} [{X}, [{X}, rho]]"


@dataclass(frozen=True)
class QuantumDephasing(Channel):
    """Dephasing of Q in X = L_coupling, or X = sum_a weights[a] L_a, at rate ``rate`` (a parameter name)."""

    rate: str
    coupling: int | None = None
    weights: tuple | None = None

    def __post_init__(self):
        if (self.coupling is None) == (self.weights is None):
            raise InvalidProblem(
                "quantum dephasing: give exactly one of coupling=<index> or weights=<one per coupling>"
            )

    def weight_vector(self, model) -> np.ndarray:
        n_L = len(model.couplings)
        if self.coupling is not None:
            if isinstance(self.coupling, bool) or not (isinstance(self.coupling, int) and 0 <= self.coupling < n_L):
                raise InvalidProblem(
                    f"quantum dephasing of coupling {self.coupling!r}: the model has couplings 0..{n_L - 1}"
                )
            return np.eye(n_L)[self.coupling]
        try:
            u = np.asarray(self.weights, dtype=float)
        except (TypeError, ValueError):
            raise InvalidProblem(f"quantum dephasing weights {self.weights!r} must be numbers") from None
        if u.shape != (n_L,) or not np.all(np.isfinite(u)):
            raise InvalidProblem(
                f"quantum dephasing weights {self.weights} must give one finite weight per coupling ({n_L})"
            )
        return u

    def validate(self, model) -> None:
        self.weight_vector(model)

    def decoherence(self, model, params: dict) -> np.ndarray:
        """D0 = 2 gamma u u^T over the coupling operators."""
        u = self.weight_vector(model)
        return 2.0 * params[self.rate] * np.outer(u, u)

    def matrix(self, model) -> np.ndarray:
        """X = sum_a u_a L_a as a d x d matrix."""
        return np.tensordot(self.weight_vector(model), np.array([L for _, L in model.couplings]), axes=1)

    def operator(self, model) -> tuple:
        return sp.Integer(1), self.matrix(model)

    def symbolic_diffusion(self, model):
        return sp.zeros(2 * model.n, 2 * model.n)

    def symbolic_decoherence(self, model):
        u = sp.Matrix([sp.nsimplify(w) for w in self.weight_vector(model)])
        return 2 * model.parameter_symbols[self.rate] * u * u.T

    def formula(self, model) -> str:
        u = self.weight_vector(model)
        names = [operator_label(L) or f"L_{a}" for a, (_, L) in enumerate(model.couplings)]
        X = " + ".join(("" if w == 1 else f"{w:g} ") + names[a] for a, w in enumerate(u) if w != 0) or "0"
        return f"-{self.rate} [{X}, [{X}, rho]]"


def _scale_expression(model, scale, channel: str) -> sp.Expr:
    """The channel's rate multiplier: an expression of parameters (no z)."""
    return model.expression(scale, f"the scale of channel {channel}", allow_z=False)


def _check_scale(model, scale, params: dict, channel: str) -> float:
    value = model.evaluate(_scale_expression(model, scale, channel), params)
    if not np.isfinite(value) or value < 0:
        raise InvalidProblem(f"channel {channel}: its rate multiplier {scale} = {value:g} must be a finite number >= 0")
    return value


@dataclass(frozen=True)
class ClassicalLindblad(Channel):
    """``rate * scale * D[l(z)]`` with l = A + i B linear in z (complex coefficients, SymPy's ``I``).

    ``expression`` is a string (``"sqrt(m*omega/2)*(q + I*p/(m*omega))"``) or a SymPy expression in
    the model's symbols, parameters allowed inside; or, for many modes, a :class:`cqplug.Linear` with a
    complex vector (l = v . z). In the partial Wigner picture (exact for
    linear l): D2 += rate (u_A u_A^T + u_B u_B^T) and dz/dt += rate (A(z) u_B - B(z) u_A), with
    u_X = Omega^T grad X.
    """

    expression: object
    rate: str
    scale: object = 1

    @property
    def label(self) -> str:
        return f"classical Lindblad channel D[{self.expression}]"

    @property
    def arrays(self) -> bool:
        """l(z) given as a :class:`cqplug.Linear` with a complex vector (a bath of many modes)."""
        return isinstance(self.expression, Linear)

    def vectors(self, model, params: dict) -> tuple:
        """(a, b, a0, b0): l(z) = (a + i b) . z + a0 + i b0 at these parameter values (array form)."""
        v, c = self.expression.values(params, 2 * model.n, f"model {model.name!r}: {self.label}", complex_allowed=True)
        if not np.any(v):
            raise InvalidProblem(f"{self.label}: its vector is zero at these parameters; a constant operator is no "
                                 "environment of C")
        return v.real, v.imag, c, 0.0

    def _array_rate(self, model, params: dict) -> float:
        return params[self.rate] * _check_scale(model, self.scale, params, self.label)

    def parts(self, model) -> tuple:
        """(A, B): the real and imaginary parts of l(z), each linear in z; refused otherwise."""
        symbols = {"I": sp.I} | model.symbols
        ell = as_expression(self.expression, symbols, f"model {model.name!r}: {self.label}")
        ell = sp.expand(ell)
        B = sp.expand(ell.coeff(sp.I))  # l = A + I B with A, B free of I (parameters taken real)
        A = sp.expand(ell - sp.I * B)
        if A.has(sp.I) or B.has(sp.I):
            raise InvalidProblem(f"{self.label}: cannot split {ell} into A + I*B with real A and B")
        for X in (A, B):
            degree = model.polynomial_degree(X)
            if degree is None or degree > 1:
                raise InvalidProblem(f"{self.label}: {ell} must be linear in {', '.join(map(str, model.z))} "
                                     "(the CQ description is exact for linear operators only)")
        if not any(X.has(s) for X in (A, B) for s in model.z):
            raise InvalidProblem(f"{self.label}: {ell} does not depend on {', '.join(map(str, model.z))}; "
                                 "a constant operator is no environment of C")
        return A, B

    def validate(self, model) -> None:
        if self.arrays:
            self.expression.check(2 * model.n, f"model {model.name!r}: {self.label}")
        else:
            self.parts(model)
        _scale_expression(model, self.scale, self.label)

    def validate_values(self, model, params: dict) -> None:
        _check_scale(model, self.scale, params, self.label)
        if self.arrays:
            self.vectors(model, params)
            return
        A, B = self.parts(model)
        values = {model.parameter_symbols[k]: v for k, v in params.items()}
        for X in (A, B):
            for s in (*model.z, None):
                coefficient = X.subs({z: 0 for z in model.z}) if s is None else sp.diff(X, s)
                value = complex(sp.sympify(coefficient).xreplace(values).evalf())
                if not np.isfinite(value) or abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
                    raise InvalidProblem(f"{self.label}: the real and imaginary parts of l(z) have the coefficient "
                                         f"{coefficient} = {value:g} at these parameters; it must be a finite real "
                                         "number (a square root of a negative parameter?)")

    def _directions(self, model) -> tuple:
        """(u_A, u_B) = Omega^T grad A, Omega^T grad B as SymPy column vectors."""
        omega_t = sp.Matrix(symplectic_form(model.n).T.astype(int))
        return tuple(omega_t * sp.Matrix([sp.diff(X, s) for s in model.z]) for X in self.parts(model))

    def _rate(self, model):
        return model.parameter_symbols[self.rate] * _scale_expression(model, self.scale, self.label)

    def symbolic_diffusion(self, model):
        if self.arrays:
            return None
        uA, uB = self._directions(model)
        return self._rate(model) * (uA * uA.T + uB * uB.T)

    def symbolic_decoherence(self, model):
        n_L = len(model.couplings)
        return sp.zeros(n_L, n_L)

    def diffusion(self, model, params: dict) -> np.ndarray:
        if self.arrays:
            a, b, _, _ = self.vectors(model, params)
            omega_t = symplectic_form(model.n).T
            uA, uB = omega_t @ a, omega_t @ b
            return self._array_rate(model, params) * (np.outer(uA, uA) + np.outer(uB, uB))
        values = {model.parameter_symbols[k]: v for k, v in params.items()}
        return np.array(self.symbolic_diffusion(model).xreplace(values).evalf(), dtype=float)

    def drift(self, model) -> list | None:
        if self.arrays:
            return None  # numbers only: drift_matrix
        A, B = self.parts(model)
        uA, uB = self._directions(model)
        return list(self._rate(model) * (A * uB - B * uA))

    def drift_matrix(self, model, params: dict) -> tuple | None:
        """rate (A(z) u_B - B(z) u_A) as (matrix, offset)."""
        if not self.arrays:
            return super().drift_matrix(model, params)
        a, b, a0, b0 = self.vectors(model, params)
        omega_t = symplectic_form(model.n).T
        uA, uB = omega_t @ a, omega_t @ b
        rate = self._array_rate(model, params)
        return rate * (np.outer(uB, a) - np.outer(uA, b)), rate * (uB * a0 - uA * b0)

    def lindblad_terms(self, model) -> list:
        scale = _scale_expression(model, self.scale, self.label)
        if self.arrays:
            return [(scale, self.expression, np.eye(model.d, dtype=complex))]
        A, B = self.parts(model)
        return [(scale, A + sp.I * B, np.eye(model.d, dtype=complex))]

    def formula(self, model) -> str:
        scale = "" if sp.sympify(self.scale) == 1 else f"({self.scale}) "
        if self.arrays:
            return f"{scale}{self.rate} D[{self.expression!r}] rho"
        A, B = self.parts(model)
        ell = self.expression if isinstance(self.expression, str) else sp.simplify(A + sp.I * B)
        return f"{scale}{self.rate} D[{ell}] rho"


@dataclass(frozen=True, eq=False)
class QuantumLindblad(Channel):
    """``rate * scale * D[J]`` with J any d x d complex matrix acting on Q alone (NumPy array, nested
    list or qutip.Qobj). ``operator_matrix`` may also be a stack (k, d, d), meaning
    ``rate * scale * sum_k D[J_k]``, or a function of d returning either (a channel that fits any Q,
    e.g. a lowering operator). ``name`` labels it in ``describe`` (e.g. "sigma_-")."""

    operator_matrix: object
    rate: str
    scale: object = 1
    name: str = ""

    @property
    def label(self) -> str:
        return f"quantum Lindblad channel D[{self.name or 'J'}]"

    def matrices(self, model) -> np.ndarray:
        """The operators J_k as a (k, d, d) complex stack."""
        given = self.operator_matrix(model.d) if callable(self.operator_matrix) else self.operator_matrix
        if hasattr(given, "full"):
            given = given.full()
        try:
            stack = np.asarray(given, dtype=complex)
        except (TypeError, ValueError):
            raise InvalidProblem(f"{self.label}: the operator must be a matrix of numbers, got "
                                 f"{type(given).__name__}") from None
        stack = stack[None] if stack.ndim == 2 else stack
        if stack.ndim != 3 or stack.shape[1:] != (model.d, model.d):
            raise InvalidProblem(f"{self.label}: the operator has shape {stack.shape}, but Q of model "
                                 f"{model.name!r} has d = {model.d}; give a {model.d} x {model.d} matrix")
        if not np.all(np.isfinite(stack)):
            raise InvalidProblem(f"{self.label}: the operator has entries that are not finite numbers")
        return stack

    def validate(self, model) -> None:
        self.matrices(model)
        _scale_expression(model, self.scale, self.label)

    def validate_values(self, model, params: dict) -> None:
        _check_scale(model, self.scale, params, self.label)

    def jump_operators(self, model, params: dict) -> list:
        weight = params[self.rate] * _check_scale(model, self.scale, params, self.label)
        return [np.sqrt(weight) * J for J in self.matrices(model)] if weight > 0 else []

    def lindblad_terms(self, model) -> list:
        scale = _scale_expression(model, self.scale, self.label)
        return [(scale, sp.Integer(1), J) for J in self.matrices(model)]

    def formula(self, model) -> str:
        scale = "" if sp.sympify(self.scale) == 1 else f"({self.scale}) "
        stack = self.matrices(model)
        if len(stack) > 1:
            return f"{scale}{self.rate} sum_k D[{self.name or 'J_k'}] rho ({len(stack)} operators)"
        return f"{scale}{self.rate} D[{self.name or _matrix_text(stack[0])}] rho"


def _matrix_text(J: np.ndarray) -> str:
    rows = ["[" + ", ".join(f"{complex(x).real:g}" if complex(x).imag == 0 else f"{complex(x):g}" for x in row) + "]"
            for row in J]
    return "[" + ", ".join(rows) + "]"
