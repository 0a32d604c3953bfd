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


def unit_matrices(model, params: dict, channels) -> list:
    """Per channel: (its D2 part, its D0 part) at unit rate."""
    out = []
    for ch in channels:
        unit = dict(params) | {ch.rate: 1.0}
        out.append((ch.diffusion(model, unit), ch.decoherence(model, unit)))
    return out


def decoherence_matrices(channels, units, rates: dict) -> tuple:
    """(D2, D0) as sums of rate x unit matrix over the channels."""
    D2 = sum((rates[ch.rate] * d2 for ch, (d2, _) in zip(channels, units)), 0.0)
    D0 = sum((rates[ch.rate] * d0 for ch, (_, d0) in zip(channels, units)), 0.0)
    return D2, D0


@dataclass(frozen=True)
class TradeOff:
    """The trade-off for one parameter set, with the minimum rates that would satisfy it."""

    scale: float  # smallest s with s D0 >= D1^T D2^+ D1
    minimum: dict  # {rate name: smallest value satisfying the trade-off, the other rates fixed}
    rates: dict  # current values of all channel rates
    D2: np.ndarray  # classical diffusion matrix (2n x 2n)
    D0: np.ndarray  # quantum decoherence matrix (n_L x n_L)

    @property
    def ratio(self) -> float:
        """1/scale: >= 1 when valid, = 1 at saturation (the minimal decoherence)."""
        return np.inf if self.scale == 0 else 1.0 / self.scale

    @property
    def valid(self) -> bool:
        return self.scale <= 1.0 + 1e-9

    @property
    def saturated(self) -> bool:
        return 0 < self.scale and abs(self.scale - 1.0) <= 1e-9

    def violation_message(self) -> str:
        """What is wrong and the minimum decoherence that would fix it."""
        options = [f"{k} must be >= {v:.6g} (now {self.rates[k]:.6g})" for k, v in self.minimum.items()]
        if not options:
            options.append("no single rate can fix it: add classical decoherence along the back-reaction and "
                           "dephasing of every coupling operator")
        return (f"not a valid CQ dynamics: decoherence too weak for the coupling (D0 >= D1^T D2^+ D1 fails, "
                f"trade-off ratio {self.ratio:.6g} < 1). Minimum decoherence, each rate on its own with the others "
                "fixed: " + "; or ".join(options))


def trade_off(model, params: dict, channels, D1: np.ndarray) -> TradeOff:
    """Evaluate the trade-off and, for each channel rate, the smallest value that satisfies it with
    the other rates fixed (bisection: raising a rate only adds decoherence)."""
    units = unit_matrices(model, params, channels)
    zero2, zero0 = np.zeros((2 * model.n,) * 2), np.zeros((len(model.couplings),) * 2)
    units = [(zero2 + d2, zero0 + d0) for d2, d0 in units]
    rates = {ch.rate: params[ch.rate] for ch in channels}

    def scale(values):
        D2, D0 = decoherence_matrices(channels, units, values)
        return required_scale(zero2 + D2, zero0 + D0, D1)

    current = scale(rates)
    minimum = {}
    if current > 1.0 + 1e-9:
        for name in rates:
            low, high = rates[name], max(rates[name], 1e-12)
            while scale(rates | {name: high}) > 1.0 + 1e-12 and high < 1e15:
                low, high = high, high * 4
            if high >= 1e15:
                continue  # this rate alone cannot satisfy the trade-off
            for _ in range(200):
                middle = 0.5 * (low + high)
                if scale(rates | {name: middle}) > 1.0:
                    low = middle
                else:
                    high = middle
                if high - low <= 1e-13 * high:
                    break
            minimum[name] = high
    D2, D0 = decoherence_matrices(channels, units, rates)
    return TradeOff(current, minimum, rates, zero2 + D2, zero0 + D0)
