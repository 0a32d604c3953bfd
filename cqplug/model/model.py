"""Classical–quantum models, declared as data (physics.md §4).

    H(z) = H_C(z) + H_Q + sum_a h_a(z) L_a,        z = (q_1..q_n, p_1..p_n),  hbar = 1

H_C and the couplings h_a are SymPy expressions (or strings, parsed safely) in the model's
coordinate, momentum and parameter symbols, or, for many modes, arrays of coefficients
(:class:`cqplug.Quadratic`, :class:`cqplug.Linear`); H_Q and the L_a are d x d Hermitian matrices
(NumPy arrays, nested lists or ``qutip.Qobj``). The core derives Hamilton's equations and the
back-reaction forces from them and generates the code each backend needs; a model never
writes integrator code.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..errors import InvalidProblem, did_you_mean
from .arrays import Linear, Quadratic, is_array_function
from .expressions import as_expression


@dataclass(frozen=True)
class Parameter:
    """A model parameter: its default value, what it means and its unit (hbar = 1)."""

    default: float
    description: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Observable:
    """The observable f_Weyl(q, p) (x) B, estimated by CQ trajectories as E[f(z_t) Tr(B rho_t)].

    ``classical`` is f(z) (a Weyl symbol: SymPy expression or string, or :class:`cqplug.Linear`; default 1)
    and ``quantum``
    is the Hermitian d x d matrix B (default: the identity). ``label`` is how a figure writes it
    (default ``<name>``).
    """

    name: str
    classical: object = 1
    quantum: object = None
    description: str = ""
    label: str = ""


def as_matrix(x, what: str) -> np.ndarray:
    """A square complex matrix from a NumPy array, nested list or qutip.Qobj."""
    if hasattr(x, "full"):
        x = x.full()
    try:
        m = np.asarray(x, dtype=complex)
    except (TypeError, ValueError):
        raise InvalidProblem(f"{what} must be a square matrix of numbers, got {type(x).__name__}") from None
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise InvalidProblem(f"{what} must be a square matrix, got shape {m.shape}")
    if not np.all(np.isfinite(m)):
        raise InvalidProblem(f"{what} has entries that are not finite numbers")
    return m


def pauli_matrices() -> dict:
    """sigma_x, sigma_y, sigma_z with sigma_z|0> = +|0>."""
    return {
        "sx": np.array([[0, 1], [1, 0]], dtype=complex),
        "sy": np.array([[0, -1j], [1j, 0]], dtype=complex),
        "sz": np.array([[1, 0], [0, -1]], dtype=complex),
    }


PAULI_LABELS = {"sx": "⟨σ_x⟩", "sy": "⟨σ_y⟩", "sz": "⟨σ_z⟩"}
MAX_MODES_OBSERVED = 8  # above, no default observable per phase-space variable (a bath has thousands)


def square_name(variable: str, variables=()) -> str:
    """The default name of <z^2>: ``q2`` for ``q``, but ``q1^2`` for ``q1`` (``q12`` could be a variable) and
    ``q^2`` for ``q`` when a variable is itself named ``q2``: never another variable's name."""
    short = f"{variable}2"
    return f"{variable}^2" if variable[-1].isdigit() or short in variables else short


class Model:
    """A classical–quantum model.

    Parameters
    ----------
    name : registry name.
    coordinates, momenta : names of q_1..q_n and p_1..p_n.
    parameters : {name: Parameter or default value}; includes channel rates and the
        parameters of the initial state.
    classical_hamiltonian : H_C(z): an expression, or :class:`cqplug.Quadratic` (arrays, for many modes).
    quantum_hamiltonian : list of (coefficient, matrix) pairs, H_Q = sum coefficient * matrix;
        a coefficient may depend on parameters but not on z.
    couplings : list of (h_a(z), L_a) pairs, L_a Hermitian d x d, h_a linear in z (an expression or
        :class:`cqplug.Linear`).
    channels : list of (channel name, options) pairs, resolved through the channel registry,
        or channel objects (:class:`cqplug.ClassicalDecoherence`, :class:`cqplug.QuantumDephasing`).
    initial_state : callable(params dict) -> cqplug.InitialState.
    observables : extra observables beyond the defaults (each z_i and z_i^2 up to n = 8 modes,
        named ``q``, ``q2`` or, for names ending in a digit, ``q1``, ``q1^2``; for d = 2 the Pauli
        matrices; for other d each distinct coupling operator L_a and term of H_Q).
    description : the model's documentation (shown by ``cqplug describe``).
    t_final : the default final time, one its exact reference can reach.
    """

    def __init__(self, name: str, *, coordinates, momenta, parameters: dict, classical_hamiltonian,
                 quantum_hamiltonian=(), couplings=(), channels=(), initial_state, observables=(),
                 description: str = "", t_final: float = 2 * math.pi):
        if not isinstance(name, str) or not name:
            raise InvalidProblem(f"a model needs a name, got {name!r}")
        self.name = name
        self.description = description
        if isinstance(coordinates, str) or isinstance(momenta, str):
            raise InvalidProblem(f"model {name!r}: coordinates and momenta are lists of names, e.g. ['q'] and ['p']")
        if len(coordinates) != len(momenta) or not coordinates:
            raise InvalidProblem(f"model {name!r}: give as many momenta as coordinates (at least one)")
        self.q = tuple(sp.Symbol(c, real=True) for c in coordinates)
        self.p = tuple(sp.Symbol(c, real=True) for c in momenta)
        self.z = self.q + self.p
        if len(set(map(str, self.z))) != len(self.z):
            raise InvalidProblem(f"model {name!r}: coordinates and momenta need distinct names")
        if not isinstance(parameters, dict):
            raise InvalidProblem(f"model {name!r}: parameters must be a dict {{name: Parameter or default}}")
        self.parameters = {k: v if isinstance(v, Parameter) else Parameter(_number(v, f"default of {k}"))
                           for k, v in parameters.items()}
        clash = set(self.parameters) & {str(s) for s in self.z}
        if clash:
            raise InvalidProblem(
                f"model {name!r}: names used both as parameter and phase-space variable: {sorted(clash)}"
            )
        self.parameter_symbols = {k: sp.Symbol(k, real=True) for k in self.parameters}
        self.H_C = self.expression(classical_hamiltonian, "the classical Hamiltonian", quadratic=True)
        self.H_Q = [
            (self.expression(c, "a quantum Hamiltonian coefficient", allow_z=False), as_matrix(m, "H_Q term"))
            for c, m in _pairs(quantum_hamiltonian, "quantum_hamiltonian", name)
        ]
        self.couplings = [
            (self.expression(h, f"coupling h_{a}"), as_matrix(L, f"L_{a}"))
            for a, (h, L) in enumerate(_pairs(couplings, "couplings", name))
        ]
        dims = {m.shape[0] for _, m in self.H_Q} | {L.shape[0] for _, L in self.couplings}
        if len(dims) > 1:
            raise InvalidProblem(f"model {name!r}: quantum operators have different dimensions {sorted(dims)}")
        self.d = dims.pop() if dims else 1
        named = [("H_Q term", m) for _, m in self.H_Q] + [(f"L_{a}", L) for a, (_, L) in enumerate(self.couplings)]
        for what, m in named:
            if not np.allclose(m, m.conj().T, atol=1e-12):
                raise InvalidProblem(f"model {name!r}: {what} is not Hermitian")
        self.channels = list(channels)
        if not callable(initial_state):
            raise InvalidProblem(f"model {name!r}: initial_state must be a function params -> cqplug.InitialState")
        self.initial_state = initial_state
        self.t_final = _number(t_final, "t_final")
        self.observables = self._observables(observables)

    # -- parsing ------------------------------------------------------------------------------
    @property
    def symbols(self) -> dict:
        """{name: Symbol} of the parameters and phase-space variables."""
        return dict(self.parameter_symbols) | {str(s): s for s in self.z}

    def expression(self, expr, what: str, allow_z: bool = True, quadratic: bool = False):
        """Parse a string (safely) or take a SymPy expression, checking it uses only known symbols.
        With ``allow_z`` a :class:`cqplug.Linear` (and, with ``quadratic``, a :class:`cqplug.Quadratic`)
        is accepted as it is, its arrays checked against 2n."""
        if allow_z and isinstance(expr, Linear) or quadratic and isinstance(expr, Quadratic):
            expr.check(2 * self.n, f"model {self.name!r}: {what}")
            return expr
        if isinstance(expr, Quadratic):
            raise InvalidProblem(f"model {self.name!r}: {what} must be linear in z; cqplug.Quadratic is for "
                                 "the classical Hamiltonian (use cqplug.Linear)")
        symbols = self.symbols if allow_z else dict(self.parameter_symbols)
        return as_expression(expr, symbols, f"model {self.name!r}: {what}")

    def symbolic(self, f, params: dict) -> sp.Expr:
        """f as a SymPy expression in the model's symbols: itself, or an array function written out at these
        parameter values (its size grows with n: for the exact reference and ``derive`` of small models)."""
        return f.expression(list(self.z), params) if is_array_function(f) else f

    def linear_coefficients(self, f, params: dict, what: str) -> tuple:
        """(v, c) with f(z) = v . z + c at these parameter values, for f linear in z (expression or Linear)."""
        if isinstance(f, Linear):
            return f.values(params, 2 * self.n, f"model {self.name!r}: {what}")
        values = {self.parameter_symbols[k]: val for k, val in params.items()}
        f = sp.sympify(f)
        v = np.array([float(sp.diff(f, s).xreplace(values)) if s in f.free_symbols else 0.0 for s in self.z])
        c = float(sp.sympify(f).xreplace({s: sp.Integer(0) for s in self.z}).xreplace(values))
        return v, c

    def _observables(self, extra) -> list:
        obs, names = [], {str(s) for s in self.z}
        if self.n <= MAX_MODES_OBSERVED:
            for s in self.z:
                obs.append(Observable(str(s), s, None, f"<{s}>", f"⟨{s}⟩"))
                obs.append(Observable(square_name(str(s), names), s**2, None, f"<{s}^2>", f"⟨{s}²⟩"))
        for o in self.default_quantum_observables():
            obs.append(o)
        for o in extra:
            if not isinstance(o, Observable):
                raise InvalidProblem(
                    f"model {self.name!r}: observables must be cqplug.Observable, got {type(o).__name__}"
                )
            B = None if o.quantum is None else as_matrix(o.quantum, f"observable {o.name}")
            if B is not None and (B.shape != (self.d, self.d) or not np.allclose(B, B.conj().T)):
                raise InvalidProblem(
                    f"observable {o.name!r}: quantum part must be a Hermitian {self.d}x{self.d} matrix"
                )
            obs.append(
                Observable(
                    o.name,
                    self.expression(o.classical, f"observable {o.name}"),  # or a cqplug.Linear
                    B,
                    o.description,
                    o.label or f"⟨{o.name}⟩",
                )
            )
        names = [o.name for o in obs]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise InvalidProblem(f"model {self.name!r}: duplicate observable names {duplicates}")
        return obs

    def default_quantum_observables(self) -> list:
        """Pauli matrices for d = 2; otherwise each distinct coupling operator and H_Q term."""
        if self.d == 2:
            return [
                Observable(k, sp.Integer(1), m, f"<sigma_{k[1]}>", PAULI_LABELS[k]) for k, m in pauli_matrices().items()
            ]
        found = []
        candidates = [(f"L{a}", L, f"<L_{a}> (coupling operator {a})") for a, (_, L) in enumerate(self.couplings)]
        candidates += [
            (f"HQ{i}", m, f"<H_Q term {i}> (matrix of the term {c} of H_Q)") for i, (c, m) in enumerate(self.H_Q)
        ]
        for name, matrix, description in candidates:
            if self.d > 1 and not any(np.allclose(matrix, other.quantum) for other in found):
                found.append(Observable(name, sp.Integer(1), matrix, description, f"⟨{name}⟩"))
        return found

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
        if is_array_function(expr):
            return expr.degree
        expr = sp.sympify(expr)
        used = [s for s in self.z if s in expr.free_symbols]  # only those: a bath has thousands of variables
        if not used:
            return 0 if expr.is_finite is not False else None
        try:
            return sp.Poly(expr, *used).total_degree()
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
                "H_C is "
                + ("not a polynomial" if deg is None else f"of degree {deg}")
                + " in z: the CQ dynamics drops the Moyal terms of order hbar^2 and higher"
            )
        for a, (h, _) in enumerate(self.couplings):
            deg = self.polynomial_degree(h)
            if deg is None or deg > 1:
                reasons.append(f"coupling h_{a} = {h} is not linear in z")
        return reasons

    def parameter_values(self, overrides=None) -> dict:
        """Defaults merged with ``overrides``; unknown names and non-finite values are refused."""
        values = {k: p.default for k, p in self.parameters.items()}
        if overrides is None:
            return values
        if not hasattr(overrides, "items"):
            raise InvalidProblem(f"parameters must be a dict {{name: value}}, got {type(overrides).__name__}")
        for k, v in overrides.items():
            if k not in values:
                raise InvalidProblem(f"model {self.name!r} has no parameter {k!r}{did_you_mean(k, values)}; "
                                     f"its parameters: {', '.join(values)}")
            values[k] = _number(v, f"parameter {k}")
        return values

    def evaluate(self, expr, params: dict) -> float:
        """A z-independent expression's value for the given parameters."""
        value = sp.sympify(expr).subs({self.parameter_symbols[k]: v for k, v in params.items()})
        if value.free_symbols:
            raise InvalidProblem(f"model {self.name!r}: {expr} depends on {sorted(map(str, value.free_symbols))}")
        return float(value)

    def _repr_html_(self) -> str:
        """A notebook's view: what ``cqplug describe`` prints."""
        from ..views import model_html

        return model_html(self)

    def __repr__(self):
        return f"Model({self.name!r}, n={self.n}, d={self.d}, couplings={len(self.couplings)})"


def _number(value, what: str) -> float:
    """A finite float from an int, float or NumPy number (strings holding numbers included)."""
    if isinstance(value, bool):
        raise InvalidProblem(f"{what} must be a number, got {value!r}")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise InvalidProblem(f"{what} must be a number, got {value!r}") from None
    if not isinstance(value, numbers.Real):
        raise InvalidProblem(f"{what} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise InvalidProblem(f"{what} must be finite, got {value}")
    return value


def _pairs(items, what: str, model: str) -> list:
    pairs = list(items)
    for item in pairs:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise InvalidProblem(
                f"model {model!r}: {what} must be a list of (coefficient or h(z), matrix) pairs, got {item!r}"
            )
    return pairs
