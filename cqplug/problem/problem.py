"""A model made concrete: parameter values, channels, initial state and saved times, validated.

Construction checks dimensions, Hermiticity, rates >= 0, the initial state (a Gaussian, hence
non-negative, Wigner function for C) and the complete-positivity trade-off; a violation raises
:class:`~cqplug.errors.PositivityViolation` naming the minimum decoherence needed (unless
``require_cq=False``: then only the methods that need a valid CQ dynamics refuse it).
Everything is computed once here; a Problem is not changed afterwards (:meth:`Problem.remake`
makes a new one with other parameters, as SciML's ``remake`` does).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import CQPlugError, InvalidProblem, PositivityViolation
from ..model.arrays import Quadratic, linear_expressions
from ..model.channels import Channel
from ..model.model import Model
from ..model.states import check_initial_state, symplectic_form
from .tradeoff import trade_off


class Problem:
    """Model + parameter values + channels + initial state + saved times.

    Attributes (all NumPy, hbar = 1): ``model``, ``params`` (dict), ``channels`` (channel
    objects), ``H_Q`` (d, d), ``L`` (n_L, d, d), ``D2`` (2n, 2n) classical diffusion, ``D0``
    (n_L, n_L) quantum decoherence, ``D1`` (2n, n_L) back-reaction, ``jumps`` (k, d, d) the purely
    quantum Lindblad operators sqrt(rate) J of the channels, ``times`` (saved times,
    t = 0 first), ``initial`` (InitialState), ``tradeoff`` (TradeOff), ``approximations`` (why
    the CQ description is not exact; empty if exact), ``observables``.

    ``model`` is a :class:`cqplug.Model` or the name of a registered one. ``t_final`` defaults
    to the model's own (one its exact reference reaches); ``save_dt`` to t_final / 40.
    ``require_cq`` (default True) refuses rates that violate the trade-off. Pass False to study
    such rates (closed dynamics, gamma = 0, included) with the methods valid for any rates, the
    fully quantum exact reference and ``mean-field``; the CQ unravellings still refuse.
    ``registry`` (default: the installed plugins) resolves a model name and channel names;
    ``channels`` (default: the model's) are channel objects to use instead.
    """

    def __init__(self, model, params=None, *, t_final=None, save_dt=None, require_cq: bool = True,
                 registry=None, channels=None):
        if isinstance(model, str):
            from ..registry import get_registry

            model = (registry or get_registry()).model(model)
        if not isinstance(model, Model):
            raise InvalidProblem(f"expected a cqplug.Model or a registered model name, got {type(model).__name__}")
        self.model = model
        self._linear_flow = None
        self.require_cq = bool(require_cq)
        self.params = model.parameter_values(params)
        self.channels = _resolve_channels(model, self.params, registry, channels)
        self.t_final = model.t_final if t_final is None else _positive_number(t_final, "t_final")
        self.save_dt = None if save_dt is None else _positive_number(save_dt, "save_dt")
        self.times = _time_grid(self.t_final, self.save_dt)

        n, d = model.n, model.d
        self.H_Q = sum((model.evaluate(c, self.params) * m for c, m in model.H_Q), np.zeros((d, d), complex))
        self.L = np.array([L for _, L in model.couplings], dtype=complex).reshape(-1, d, d)
        for a, (h, _) in enumerate(model.couplings):
            degree = model.polynomial_degree(h)
            if degree is None or degree > 1:
                raise InvalidProblem(f"coupling h_{a} = {h} must be linear in z: CQ trajectories with z-dependent "
                                     "back-reaction noise are not supported yet")
        if isinstance(model.H_C, Quadratic):
            model.H_C.check(2 * n, f"model {model.name!r}: the classical Hamiltonian", self.params)
        coefficients = [model.linear_coefficients(h, self.params, f"coupling h_{a}")
                        for a, (h, _) in enumerate(model.couplings)]
        self.coupling_gradients = np.array([v for v, _ in coefficients], dtype=float).reshape(-1, 2 * n)
        self.coupling_offsets = np.array([c for _, c in coefficients], dtype=float)
        self.D1 = 0.5 * symplectic_form(n) @ self.coupling_gradients.T  # (Omega grad h_a)_i / 2
        self.jumps = np.array([J for ch in self.channels for J in ch.jump_operators(model, self.params)],
                              dtype=complex).reshape(-1, d, d)
        self.tradeoff = trade_off(model, self.params, self.channels, self.D1)
        self.D2, self.D0 = self.tradeoff.D2, self.tradeoff.D0
        if self.require_cq and not self.tradeoff.valid:
            raise PositivityViolation(self.tradeoff.violation_message())
        self.initial = check_initial_state(_call_initial_state(model, self.params), n, d)
        self.approximations = model.exactness()
        self.observables = model.observables

    def remake(self, params=None, **changes) -> Problem:
        """A new Problem with some parameters changed (``params`` dict or keywords) and, optionally,
        ``t_final``, ``save_dt`` or ``require_cq`` changed too."""
        options = {"t_final": self.t_final, "save_dt": self.save_dt, "require_cq": self.require_cq}
        for key in list(changes):
            if key in options:
                options[key] = changes.pop(key)
        new_params = dict(self.params) | dict(params or {}) | changes
        return Problem(self.model, new_params, channels=self.channels, **options)

    def classical_flow(self) -> list:
        """dz/dt without Q and noise, in the model's symbols: Omega grad H_C plus the channels' friction
        drift (2n SymPy expressions; parameters left symbolic, except in a model declared with arrays,
        where the expressions are written out from :meth:`linear_flow` at this problem's values)."""
        z = list(self.model.z)
        if isinstance(self.model.H_C, Quadratic):
            return linear_expressions(*self.linear_flow(), z)
        flow = list(self.model.hamilton_equations())
        for ch in self.channels:
            drift = ch.drift(self.model)
            numbers = ch.drift_matrix(self.model, self.params) if drift is None else None
            if numbers is not None:  # a channel declared with arrays
                drift = linear_expressions(*numbers, z)
            if drift is not None:
                flow = [f + g for f, g in zip(flow, drift)]
        return flow

    def linear_flow(self):
        """(A, a), with dz/dt = A z + a the classical flow (Omega grad H_C and the channels' friction) as a
        SciPy sparse matrix, for a model whose H_C is a :class:`cqplug.Quadratic`; None for others (their
        expressions are read by the compiled system)."""
        if not isinstance(self.model.H_C, Quadratic):
            return None
        if self._linear_flow is None:
            n_z = 2 * self.model.n
            A, a = self.model.H_C.flow(self.params, n_z, f"model {self.model.name!r}: the classical Hamiltonian")
            for ch in self.channels:
                drift = ch.drift_matrix(self.model, self.params)
                if drift is not None:
                    A, a = A + drift[0], a + drift[1]
            import scipy.sparse as sparse

            self._linear_flow = (sparse.csr_matrix(A), np.asarray(a, dtype=float))
        return self._linear_flow

    @property
    def exact(self) -> bool:
        """True when the CQ description reproduces the full open-quantum dynamics exactly."""
        return not self.approximations

    def observable_operators(self) -> np.ndarray:
        """The quantum parts B_k of the observables as a (k, d, d) stack (identity where none)."""
        d = self.model.d
        return np.array([np.eye(d) if o.quantum is None else o.quantum for o in self.observables], dtype=complex)

    def parameter_vector(self) -> np.ndarray:
        """Parameter values in the model's declared order (what generated code indexes)."""
        return np.array([self.params[k] for k in self.model.parameters], dtype=float)

    def _repr_html_(self) -> str:
        """A notebook's view: the parameter values, the trade-off, exactness."""
        from ..views import problem_html

        return problem_html(self)

    def __repr__(self):
        return f"Problem({self.model.name!r}, t_final={self.t_final:g}, {len(self.times)} saved times)"


def _resolve_channels(model, params: dict, registry, given=None) -> list:
    """The model's channels as Channel objects (names resolved through the channel registry)."""
    channels = []
    for entry in model.channels if given is None else given:
        if isinstance(entry, Channel):
            channels.append(entry)
            continue
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2 and isinstance(entry[0], str)):
            raise InvalidProblem(
                f"model {model.name!r}: a channel is (name, options) or a channel object, got {entry!r}"
            )
        kind, options = entry
        if registry is None:
            from ..registry import get_registry

            registry = get_registry()
        try:
            made = registry.channel(kind, **dict(options))
        except InvalidProblem as exc:
            raise InvalidProblem(f"model {model.name!r}: {exc}") from None
        channels.extend(made)
    for ch in channels:
        if ch.rate not in params:
            raise InvalidProblem(f"channel rate {ch.rate!r} is not a parameter of model {model.name!r}")
        if params[ch.rate] < 0:
            raise InvalidProblem(f"rate {ch.rate} = {params[ch.rate]} is negative; decoherence rates must be >= 0")
        try:
            ch.validate(model)
            ch.validate_values(model, params)
        except InvalidProblem as exc:
            raise InvalidProblem(f"model {model.name!r}: {exc}") from None
    return channels


def _call_initial_state(model, params: dict):
    try:
        return model.initial_state(dict(params))
    except CQPlugError:
        raise
    except Exception as exc:  # a model's own code: say where it failed, in one line
        raise InvalidProblem(
            f"model {model.name!r}: initial_state({', '.join(params)}) failed: {type(exc).__name__}: {exc}"
        ) from None


def _positive_number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise InvalidProblem(f"{what} must be a positive number, got {value!r}")
    return float(value)


def _time_grid(t_final: float, save_dt: float | None) -> np.ndarray:
    """0, save_dt, 2 save_dt, ..., t_final; save_dt must divide t_final (to 1e-9)."""
    save_dt = t_final / 40 if save_dt is None else save_dt
    if save_dt > t_final:
        raise InvalidProblem(f"save_dt must be in (0, t_final = {t_final:g}], got {save_dt:g}")
    intervals = t_final / save_dt
    n_save = round(intervals)
    if abs(intervals - n_save) > 1e-9 * max(1.0, intervals):
        below, above = t_final / max(1, math.floor(intervals)), t_final / math.ceil(intervals)
        raise InvalidProblem(
            f"save_dt = {save_dt:g} does not divide t_final = {t_final:g}; use {above:.6g} "
            f"({math.ceil(intervals)} intervals) or {below:.6g} ({max(1, math.floor(intervals))})"
        )
    return np.linspace(0.0, t_final, n_save + 1)
