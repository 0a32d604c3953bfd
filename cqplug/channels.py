"""Decoherence channels in the double-commutator convention ("convention A", physics.md §2).

A channel with rate gamma and Hermitian operator X adds ``-gamma [X, [X, rho]]`` to the master
equation, i.e. the Lindblad operator sqrt(2 gamma) X. Two kinds exist in CQ dynamics:

* :class:`ClassicalDecoherence` — X(z) linear in the phase-space variables of C. In the partial
  Wigner picture it is phase-space diffusion with D2 = 2 gamma v v^T, where v = Omega^T grad X
  (decoherence of position q gives momentum diffusion).
* :class:`QuantumDephasing` — X = sum_a u_a L_a, a combination of the coupling operators.
  It adds D0 = 2 gamma u u^T to the quantum decoherence matrix over the L_a.

Channel plugins register factories returning lists of these (see ``hookspecs``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from .errors import InvalidProblem
from .states import symplectic_form


@dataclass(frozen=True)
class ClassicalDecoherence:
    """Decoherence of C through X(z) (linear in z) at rate ``rate`` (a parameter name)."""

    operator: object
    rate: str

    side = "classical"

    def expression(self, model) -> sp.Expr:
        """X(z) parsed in the model's symbols; refused unless linear in z."""
        X = model.expression(self.operator, "a classical decoherence operator")
        degree = model.polynomial_degree(X)
        if degree is None or degree > 1:
            raise InvalidProblem(
                f"classical decoherence operator {X} must be linear in {', '.join(map(str, model.z))} "
                "(it determines a constant diffusion matrix D2)"
            )
        return X

    def gradient(self, model) -> list:
        """grad X as SymPy expressions (constant in z)."""
        X = self.expression(model)
        return [sp.diff(X, s) for s in model.z]

    def unit_matrix(self, model, params: dict) -> np.ndarray:
        """D2 per unit rate: 2 v v^T with v = Omega^T grad X."""
        u = np.array([model.evaluate(g, params) for g in self.gradient(model)])
        v = symplectic_form(model.n).T @ u
        return 2.0 * np.outer(v, v)


@dataclass(frozen=True)
class QuantumDephasing:
    """Dephasing of Q in X = L_coupling, or X = sum_a weights[a] L_a, at rate ``rate`` (a parameter name)."""

    rate: str
    coupling: int | None = None
    weights: tuple | None = None

    side = "quantum"

    def __post_init__(self):
        if (self.coupling is None) == (self.weights is None):
            raise InvalidProblem("quantum dephasing: give exactly one of coupling=<index> or weights=<one per coupling>")

    def weight_vector(self, model) -> np.ndarray:
        n_L = len(model.couplings)
        if self.coupling is not None:
            if not (isinstance(self.coupling, int) and 0 <= self.coupling < n_L):
                raise InvalidProblem(f"quantum dephasing of coupling {self.coupling!r}: the model has couplings 0..{n_L - 1}")
            return np.eye(n_L)[self.coupling]
        u = np.asarray(self.weights, dtype=float)
        if u.shape != (n_L,):
            raise InvalidProblem(f"quantum dephasing weights {self.weights} must give one weight per coupling ({n_L})")
        return u

    def unit_matrix(self, model, params: dict) -> np.ndarray:
        """D0 per unit rate: 2 u u^T over the coupling operators."""
        u = self.weight_vector(model)
        return 2.0 * np.outer(u, u)

    def operator(self, model) -> np.ndarray:
        """X = sum_a u_a L_a as a d x d matrix."""
        return np.tensordot(self.weight_vector(model), np.array([L for _, L in model.couplings]), axes=1)
