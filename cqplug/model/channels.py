"""Decoherence channels in the double-commutator convention ("convention A", physics.md §2).

A channel with rate gamma and Hermitian operator X adds ``-gamma [X, [X, rho]]`` to the master
equation, i.e. the Lindblad operator sqrt(2 gamma) X. Every channel answers the same questions
(the :class:`Channel` protocol), so nothing else in cqplug switches on its kind:

* ``diffusion(model, params)``: its part of the classical diffusion matrix D2 (2n x 2n);
* ``decoherence(model, params)``: its part of the quantum decoherence matrix D0 over the L_a;
* ``operator(model)``: X = Weyl(f) (x) B as the pair (f(z), B), for the exact reference;
* ``formula(model)``: how the master equation reads, e.g. ``-gamma_c [q, [q, rho]]``.

Two kinds exist in CQ dynamics:

* :class:`ClassicalDecoherence` — X(z) linear in the phase-space variables of C. In the partial
  Wigner picture it is phase-space diffusion with D2 = 2 gamma v v^T, v = Omega^T grad X
  (decoherence of position q gives momentum diffusion).
* :class:`QuantumDephasing` — X = sum_a u_a L_a, a combination of the coupling operators.
  It adds D0 = 2 gamma u u^T to the quantum decoherence matrix over the L_a.

Channel plugins register factories returning lists of these (see ``hookspecs``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..errors import InvalidProblem
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

    def operator(self, model) -> tuple:
        """(f(z), B): the channel's operator is X = Weyl(f) (x) B."""
        raise NotImplementedError

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

    def expression(self, model) -> sp.Expr:
        """X(z) parsed in the model's symbols; refused unless linear in z."""
        X = model.expression(self.operator_expression, "a classical decoherence operator")
        degree = model.polynomial_degree(X)
        if degree is None or degree > 1 or not any(X.has(s) for s in model.z):
            raise InvalidProblem(
                f"classical decoherence operator {X} must be linear in {', '.join(map(str, model.z))} "
                "(it determines a constant diffusion matrix D2)"
            )
        return X

    def validate(self, model) -> None:
        self.expression(model)

    def diffusion(self, model, params: dict) -> np.ndarray:
        """D2 = 2 gamma v v^T with v = Omega^T grad X."""
        X = self.expression(model)
        u = np.array([model.evaluate(sp.diff(X, s), params) for s in model.z])
        v = symplectic_form(model.n).T @ u
        return 2.0 * params[self.rate] * np.outer(v, v)

    def operator(self, model) -> tuple:
        return self.expression(model), np.eye(model.d, dtype=complex)

    def symbolic_diffusion(self, model):
        X = self.expression(model)
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
        X = " + ".join(("" if w == 1 else f"{w:g} ") + f"L_{a}" for a, w in enumerate(u) if w != 0) or "0"
        return f"-{self.rate} [{X}, [{X}, rho]]"
