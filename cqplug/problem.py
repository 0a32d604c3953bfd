"""A model made concrete: parameter values, channels, initial state and saved times, validated.

Construction checks dimensions, Hermiticity, rates >= 0, the initial state (a Gaussian, hence
non-negative, Wigner function for C) and the complete-positivity trade-off; a violation raises
:class:`~cqplug.errors.PositivityViolation` naming the minimum decoherence needed (unless
``require_cq=False``: then only the methods that need a valid CQ dynamics refuse it).
"""

from __future__ import annotations

import numpy as np

from .errors import InvalidProblem, PositivityViolation
from .model import Model
from .plugins import get_registry
from .positivity import decoherence_matrix, trade_off
from .states import check_initial_state


class Problem:
    """Model + parameter values + channels + initial state + saved times.

    Attributes (all NumPy, hbar = 1): ``params`` (dict), ``H_Q`` (d, d), ``L`` (n_L, d, d),
    ``D2`` (2n, 2n) classical diffusion, ``D0`` (n_L, n_L) quantum decoherence, ``D1`` (2n, n_L)
    back-reaction, ``times`` (saved times, t = 0 first), ``initial`` (InitialState),
    ``tradeoff`` (TradeOff), ``approximations`` (why the CQ description is not exact; empty if exact).

    ``require_cq`` (default True) refuses rates that violate the trade-off. Pass False to study
    such rates (closed dynamics, gamma = 0, included) with the methods valid for any rates, the
    fully quantum ``lindblad`` reference and ``mean-field``; the CQ unravellings still refuse.
    """

    def __init__(self, model, params: dict | None = None, *, t_final: float = 2 * np.pi,
                 save_dt: float | None = None, registry=None, require_cq: bool = True):
        registry = registry or get_registry()
        if isinstance(model, str):
            model = registry.create("models", model)
        if not isinstance(model, Model):
            raise InvalidProblem(f"expected a cqplug.Model or a registered model name, got {type(model).__name__}")
        self.model = model
        self.params = model.parameter_values(params)
        self.channels = self._resolve_channels(registry)
        self.times = self._time_grid(t_final, save_dt)

        n, d = model.n, model.d
        self.H_Q = sum((model.evaluate(c, self.params) * m for c, m in model.H_Q), np.zeros((d, d), complex))
        self.L = np.array([L for _, L in model.couplings], dtype=complex).reshape(-1, d, d)
        for a, (h, _) in enumerate(model.couplings):
            degree = model.polynomial_degree(h)
            if degree is None or degree > 1:
                raise InvalidProblem(
                    f"coupling h_{a} = {h} must be linear in z: CQ trajectories with z-dependent "
                    "back-reaction noise are not supported yet"
                )
        back = model.backreaction_vectors()
        self.D1 = 0.5 * np.array([[model.evaluate(e, self.params) for e in vec] for vec in back]).reshape(-1, 2 * n).T
        self.D2 = decoherence_matrix(model, self.params, self.channels, "classical")
        self.D0 = decoherence_matrix(model, self.params, self.channels, "quantum")
        self.tradeoff = trade_off(model, self.params, self.channels, self.D1)
        if require_cq and not self.tradeoff.valid:
            raise PositivityViolation(self.tradeoff.violation_message())
        self.initial = check_initial_state(model.initial_state(dict(self.params)), n, d)
        self.approximations = model.exactness()
        self.observables = model.observables

    def _resolve_channels(self, registry) -> list:
        channels = []
        for kind, options in self.model.channels:
            try:
                made = registry.create("channels", kind, **options)
            except TypeError as exc:
                raise InvalidProblem(f"channel {kind!r} of model {self.model.name!r}: {exc}") from None
            channels.extend(made)
        for ch in channels:
            if ch.rate not in self.params:
                raise InvalidProblem(f"channel rate {ch.rate!r} is not a parameter of model {self.model.name!r}")
            if self.params[ch.rate] < 0:
                raise InvalidProblem(f"rate {ch.rate} = {self.params[ch.rate]} is negative; decoherence rates must be >= 0")
        return channels

    @staticmethod
    def _time_grid(t_final: float, save_dt: float | None) -> np.ndarray:
        if not (np.isfinite(t_final) and t_final > 0):
            raise InvalidProblem(f"t_final must be a positive number, got {t_final}")
        save_dt = t_final / 40 if save_dt is None else save_dt
        if not (np.isfinite(save_dt) and 0 < save_dt <= t_final):
            raise InvalidProblem(f"save_dt must be in (0, t_final = {t_final}], got {save_dt}")
        n_save = int(np.ceil(t_final / save_dt - 1e-9))
        return np.linspace(0.0, t_final, n_save + 1)

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

    def summary(self) -> str:
        """Human-readable check of the problem (what ``cqplug check`` prints)."""
        t = self.tradeoff
        lines = [
            f"model {self.model.name}: n = {self.model.n} classical degree(s) of freedom, d = {self.model.d}",
            "parameters: " + ", ".join(f"{k}={v:g}" for k, v in self.params.items()),
            f"trade-off ratio (>= 1 required; toy: 16 gamma_c gamma_q / lam^2): {t.ratio:.6g}",
            _tradeoff_status(t),
        ]
        if self.exact:
            lines.append("CQ description: EXACT (H_C at most quadratic, couplings and channel operators linear in z)")
        else:
            lines.append("CQ description: APPROXIMATION - " + "; ".join(self.approximations))
        return "\n".join(lines)


def _tradeoff_status(t) -> str:
    if not t.valid:
        return "BELOW the threshold: " + t.violation_message()
    if t.saturated:
        return "saturated (minimal decoherence, pure conditioned states stay pure)"
    return "no back-reaction: any decoherence is allowed" if t.scale == 0 else "strictly above the threshold"
