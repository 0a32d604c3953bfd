"""Classical–quantum models, declared as data (physics.md §4).

    H(z) = H_C(z) + H_Q + sum_a h_a(z) L_a,        z = (q_1..q_n, p_1..p_n),  hbar = 1

H_C and the couplings h_a are SymPy expressions (or strings) in the model's coordinate,
momentum and parameter symbols; H_Q and the L_a are d x d Hermitian matrices (NumPy arrays or
``qutip.Qobj``). The core derives Hamilton's equations and the back-reaction forces from them
and generates the code each backend needs; a model never writes integrator code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from .errors import InvalidProblem


@dataclass(frozen=True)
class Parameter:
    """A model parameter: its default value and what it means (with units)."""

    default: float
    description: str = ""


@dataclass(frozen=True)
class Observable:
    """The observable f_Weyl(q, p) (x) B, estimated by CQ trajectories as E[f(z_t) Tr(B rho_t)].

    ``classical`` is f(z) (a Weyl symbol: SymPy expression or string, default 1) and ``quantum``
    is the Hermitian d x d matrix B (default: the identity).
    """

    name: str
    classical: object = 1
    quantum: object = None
    description: str = ""


def as_matrix(x, what: str) -> np.ndarray:
    """A square complex matrix from a NumPy array, nested list or qutip.Qobj."""
    if hasattr(x, "full"):
        x = x.full()
    m = np.asarray(x, dtype=complex)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise InvalidProblem(f"{what} must be a square matrix, got shape {m.shape}")
    return m


def pauli_matrices() -> dict:
    """sigma_x, sigma_y, sigma_z with sigma_z|0> = +|0>."""
    return {
        "sx": np.array([[0, 1], [1, 0]], dtype=complex),
        "sy": np.array([[0, -1j], [1j, 0]], dtype=complex),
        "sz": np.array([[1, 0], [0, -1]], dtype=complex),
    }


class Model:
    """A classical–quantum model.

    Parameters
    ----------
    name : registry name.
    coordinates, momenta : names of q_1..q_n and p_1..p_n.
    parameters : {name: Parameter or default value}; includes channel rates and the
        parameters of the initial state.
    classical_hamiltonian : H_C(z).
    quantum_hamiltonian : list of (coefficient, matrix) pairs, H_Q = sum coefficient * matrix;
        a coefficient may depend on parameters but not on z.
    couplings : list of (h_a(z), L_a) pairs, L_a Hermitian d x d.
    channels : list of (channel name, options) pairs, resolved through the channel registry.
    initial_state : callable(params dict) -> cqplug.InitialState.
    observables : extra observables beyond the defaults (each z_i, z_i^2, and the Pauli
        matrices when d = 2).
    """

    def __init__(
        self,
        name: str,
        *,
        coordinates,
        momenta,
        parameters: dict,
        classical_hamiltonian,
        quantum_hamiltonian=(),
        couplings=(),
        channels=(),
        initial_state,
        observables=(),
        description: str = "",
    ):
        self.name = name
        self.description = description
        if len(coordinates) != len(momenta) or not coordinates:
            raise InvalidProblem(f"model {name!r}: give as many momenta as coordinates (at least one)")
        self.q = tuple(sp.Symbol(c, real=True) for c in coordinates)
        self.p = tuple(sp.Symbol(c, real=True) for c in momenta)
        self.z = self.q + self.p
        self.parameters = {k: v if isinstance(v, Parameter) else Parameter(float(v)) for k, v in parameters.items()}
        clash = set(self.parameters) & {str(s) for s in self.z}
        if clash:
            raise InvalidProblem(f"model {name!r}: names used both as parameter and phase-space variable: {sorted(clash)}")
        self.parameter_symbols = {k: sp.Symbol(k, real=True) for k in self.parameters}
        self.H_C = self.expression(classical_hamiltonian, "the classical Hamiltonian")
        self.H_Q = [
            (self.expression(c, "a quantum Hamiltonian coefficient", allow_z=False), as_matrix(m, "H_Q term"))
            for c, m in quantum_hamiltonian
        ]
        self.couplings = [(self.expression(h, f"coupling h_{a}"), as_matrix(L, f"L_{a}")) for a, (h, L) in enumerate(couplings)]
        dims = {m.shape[0] for _, m in self.H_Q} | {L.shape[0] for _, L in self.couplings}
        if len(dims) > 1:
            raise InvalidProblem(f"model {name!r}: quantum operators have different dimensions {sorted(dims)}")
        self.d = dims.pop() if dims else 1
        for what, m in [("H_Q term", m) for _, m in self.H_Q] + [(f"L_{a}", L) for a, (_, L) in enumerate(self.couplings)]:
            if not np.allclose(m, m.conj().T, atol=1e-12):
                raise InvalidProblem(f"model {name!r}: {what} is not Hermitian")
        self.channels = [(kind, dict(options)) for kind, options in channels]
        self.initial_state = initial_state
        self.observables = self._observables(observables)

    # -- parsing ------------------------------------------------------------------------------
    def expression(self, expr, what: str, allow_z: bool = True) -> sp.Expr:
        """Parse a string or SymPy expression, checking it uses only known symbols."""
        names = dict(self.parameter_symbols)
        if allow_z:
            names.update({str(s): s for s in self.z})
        try:
            e = sp.sympify(expr, locals=names) if isinstance(expr, str) else sp.sympify(expr)
        except (sp.SympifyError, SyntaxError, TypeError) as exc:
            raise InvalidProblem(f"model {self.name!r}: cannot parse {what} {expr!r}: {exc}") from None
        e = e.xreplace({sp.Symbol(k): v for k, v in names.items()})  # plain symbols -> real ones
        unknown = {str(s) for s in e.free_symbols} - set(names)
        if unknown:
            raise InvalidProblem(
                f"model {self.name!r}: {what} uses unknown symbol(s) {sorted(unknown)}; known: {sorted(names)}"
            )
        return e

    def _observables(self, extra) -> list:
        obs = []
        for s in self.z:
            obs.append(Observable(str(s), s, None, f"<{s}>"))
            obs.append(Observable(f"{s}2", s**2, None, f"<{s}^2>"))
        if self.d == 2:
            obs += [Observable(k, sp.Integer(1), m, f"<sigma_{k[1]}>") for k, m in pauli_matrices().items()]
        for o in extra:
            B = None if o.quantum is None else as_matrix(o.quantum, f"observable {o.name}")
            if B is not None and (B.shape != (self.d, self.d) or not np.allclose(B, B.conj().T)):
                raise InvalidProblem(f"observable {o.name!r}: quantum part must be a Hermitian {self.d}x{self.d} matrix")
            obs.append(Observable(o.name, self.expression(o.classical, f"observable {o.name}"), B, o.description))
        names = [o.name for o in obs]
        if len(set(names)) != len(names):
            raise InvalidProblem(f"model {self.name!r}: duplicate observable names {names}")
        return obs

    # -- derived quantities -------------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.q)

    def poisson_vector(self, f) -> list:
        """Omega grad f = (df/dp_1..df/dp_n, -df/dq_1..-df/dq_n): the Hamiltonian vector field of f."""
        return [sp.diff(f, p) for p in self.p] + [-sp.diff(f, q) for q in self.q]

    def hamilton_equations(self) -> list:
        """dz/dt = {z, H_C} = Omega grad H_C."""
        return self.poisson_vector(self.H_C)

    def backreaction_vectors(self) -> list:
        """Omega grad h_a for each coupling: the force on C per unit <L_a>."""
        return [self.poisson_vector(h) for h, _ in self.couplings]

    def polynomial_degree(self, expr) -> int | None:
        """Total degree of expr as a polynomial in z, or None when it is not a polynomial."""
        try:
            return sp.Poly(expr, *self.z).total_degree()
        except sp.PolynomialError:
            return None

    def exactness(self) -> list:
        """Reasons the CQ description is only an approximation for this model (empty: exact).

        Exact when H_C is at most quadratic and the couplings are linear in z (then the partial
        Wigner transform of the full open dynamics has no higher Moyal terms).
        """
        reasons = []
        deg = self.polynomial_degree(self.H_C)
        if deg is None or deg > 2:
            reasons.append(
                "H_C is " + ("not a polynomial" if deg is None else f"of degree {deg}")
                + " in z: the CQ dynamics drops the Moyal terms of order hbar^2 and higher"
            )
        for a, (h, _) in enumerate(self.couplings):
            deg = self.polynomial_degree(h)
            if deg is None or deg > 1:
                reasons.append(f"coupling h_{a} = {h} is not linear in z")
        return reasons

    def parameter_values(self, overrides: dict | None = None) -> dict:
        """Defaults merged with ``overrides``; unknown names and non-finite values are refused."""
        values = {k: p.default for k, p in self.parameters.items()}
        for k, v in (overrides or {}).items():
            if k not in values:
                raise InvalidProblem(f"model {self.name!r} has no parameter {k!r}; its parameters: {', '.join(values)}")
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise InvalidProblem(f"parameter {k} must be a number, got {v!r}") from None
            if not np.isfinite(v):
                raise InvalidProblem(f"parameter {k} must be finite, got {v}")
            values[k] = v
        return values

    def evaluate(self, expr, params: dict) -> float:
        """A z-independent expression's value for the given parameters."""
        value = sp.sympify(expr).subs({self.parameter_symbols[k]: v for k, v in params.items()})
        if value.free_symbols:
            raise InvalidProblem(f"model {self.name!r}: {expr} depends on {sorted(map(str, value.free_symbols))}")
        return float(value)

    def __repr__(self):
        return f"Model({self.name!r}, n={self.n}, d={self.d}, couplings={len(self.couplings)})"
