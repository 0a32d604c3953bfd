"""The decoherence–diffusion trade-off that makes CQ dynamics completely positive (physics.md §4).

With D2 the classical diffusion matrix, D0 the quantum decoherence matrix and D1 the
back-reaction matrix, D1[i, a] = (1/2) (Omega grad h_a)_i, the dynamics is a valid CQ theory iff

    D2 >= 0,   D0 >= 0,   (1 - D2 D2^+) D1 = 0,   D0 >= D1^T D2^+ D1.

For the toy model this is 16 gamma_c gamma_q >= lam^2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_TOL = 1e-10


def _root_pinv(A: np.ndarray) -> tuple:
    """(A^{+1/2}, projector onto range A) for a symmetric PSD matrix A."""
    w, V = np.linalg.eigh(A)
    keep = w > _TOL * max(1.0, np.abs(w).max(initial=0.0))
    Vk = V[:, keep]
    return Vk @ np.diag(w[keep] ** -0.5) @ Vk.T, Vk @ Vk.T


def required_scale(D2: np.ndarray, D0: np.ndarray, D1: np.ndarray) -> float:
    """The smallest s >= 0 with s D0 >= D1^T D2^+ D1 and (1 - D2 D2^+) D1 = 0 (inf if none).

    The trade-off holds iff s <= 1. As D1^T D2^+ D1 scales as the inverse of the classical
    rates, s is also the factor by which all classical rates must grow with D0 fixed.
    """
    if not np.any(D1):
        return 0.0
    D2_root_pinv, P2 = _root_pinv(D2)
    if np.abs(D1 - P2 @ D1).max() > 1e-9 * np.abs(D1).max():
        return np.inf  # back-reaction along a direction in which C does not diffuse
    B = D1.T @ D2_root_pinv @ D2_root_pinv @ D1
    D0_root_pinv, P0 = _root_pinv(D0)
    if np.abs(B - P0 @ B @ P0).max() > 1e-9 * np.abs(B).max():
        return np.inf  # back-reaction through a coupling operator that is not dephased
    return float(np.linalg.eigvalsh(D0_root_pinv @ B @ D0_root_pinv).max())


def decoherence_matrix(model, params: dict, channels, side: str, rates: dict | None = None) -> np.ndarray:
    """D2 (side "classical", 2n x 2n) or D0 (side "quantum", over the couplings): sum of rate * unit."""
    size = 2 * model.n if side == "classical" else len(model.couplings)
    total = np.zeros((size, size))
    for ch in channels:
        if ch.side == side:
            rate = params[ch.rate] if rates is None else rates[ch.rate]
            total += rate * ch.unit_matrix(model, params)
    return total


@dataclass(frozen=True)
class TradeOff:
    """The trade-off for one parameter set, with the minimum rates that would satisfy it."""

    scale: float  # smallest s with s D0 >= D1^T D2^+ D1
    min_quantum: dict  # {rate name: minimum} raising the quantum rates only (empty: impossible)
    min_classical: dict  # {rate name: minimum} raising the classical rates only (empty: impossible)
    rates: dict  # current values of all channel rates

    @property
    def ratio(self) -> float:
        """1/scale: >= 1 when valid, = 1 at saturation (toy: 16 gamma_c gamma_q / lam^2)."""
        return np.inf if self.scale == 0 else 1.0 / self.scale

    @property
    def valid(self) -> bool:
        return self.scale <= 1.0 + 1e-9

    @property
    def saturated(self) -> bool:
        return 0 < self.scale and abs(self.scale - 1.0) <= 1e-9

    def violation_message(self) -> str:
        """What is wrong and the minimum decoherence that would fix it."""
        options = []
        for mins in (self.min_quantum, self.min_classical):
            if mins:
                options.append(" and ".join(f"{k} must be >= {v:.6g} (now {self.rates[k]:.6g})" for k, v in mins.items()))
        if not options:
            options.append("add classical decoherence along the back-reaction and dephasing of every coupling operator")
        return (
            f"not a valid CQ dynamics: decoherence too weak for the coupling (D0 >= D1^T D2^+ D1 fails, "
            f"trade-off ratio {self.ratio:.6g} < 1). Minimum decoherence: " + "; or ".join(options)
        )


def trade_off(model, params: dict, channels, D1: np.ndarray) -> TradeOff:
    """Evaluate the trade-off and the minimum rates on each side (the other side held fixed)."""
    D2 = decoherence_matrix(model, params, channels, "classical")
    D0 = decoherence_matrix(model, params, channels, "quantum")
    minima = []
    for side in ("quantum", "classical"):
        names = [ch.rate for ch in channels if ch.side == side]
        current = {k: params[k] for k in names}
        base = current if any(current.values()) else {k: 1.0 for k in names}  # all zero: a common rate
        scaled = decoherence_matrix(model, params, channels, side, base)
        s = required_scale(scaled, D0, D1) if side == "classical" else required_scale(D2, scaled, D1)
        minima.append({k: v * s for k, v in base.items()} if np.isfinite(s) and names else {})
    rates = {ch.rate: params[ch.rate] for ch in channels}
    return TradeOff(required_scale(D2, D0, D1), minima[0], minima[1], rates)
