"""C quantised on a truncated Fock basis: Weyl quantisation and position/momentum distributions.

Each degree of freedom i uses ladder operators with length scale l_i:

    q = l (a + a^+) / sqrt(2),        p = -i (a - a^+) / (l sqrt(2)),

chosen so that the initial Gaussian of C is a displaced thermal state of that basis. A
polynomial Weyl symbol is quantised monomial by monomial with McCoy's formula

    Weyl(q^a p^b) = 2^-a sum_k binom(a, k) q^k p^b q^(a-k),

computed in a space larger by the monomial's degree and then truncated, so the kept N x N
block has no truncation artefact.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy.special import comb

from cqplug.errors import InvalidProblem


def ladder(N: int) -> np.ndarray:
    return np.diag(np.sqrt(np.arange(1, N)), 1)


def quadratures(N: int, scale: float) -> tuple:
    a = ladder(N)
    return scale * (a + a.T) / math.sqrt(2), -1j * (a - a.T) / (scale * math.sqrt(2))


def weyl_monomial(a: int, b: int, N: int, scale: float) -> np.ndarray:
    """Weyl(q^a p^b) on the first N Fock states."""
    q, p = quadratures(N + a + b + 1, scale)
    mp = np.linalg.matrix_power
    pb = mp(p, b)
    op = sum(comb(a, k, exact=True) * mp(q, k) @ pb @ mp(q, a - k) for k in range(a + 1)) / 2**a
    return op[:N, :N]


def weyl_operator(expr, z_symbols, n: int, N: int, scales, evaluate) -> list:
    """Weyl quantisation of a polynomial phase-space function: [(coefficient, [per-mode matrices])]."""
    try:
        poly = sp.Poly(sp.expand(expr), *z_symbols)
    except sp.PolynomialError:
        raise InvalidProblem(
            f"the lindblad reference needs polynomial phase-space functions; {expr} is not a polynomial in z"
        ) from None
    terms = []
    for powers, coeff in poly.terms():
        value = evaluate(coeff)
        if value == 0:
            continue
        terms.append((value, [weyl_monomial(powers[i], powers[n + i], N, scales[i]) for i in range(n)]))
    return terms


def hermite_functions(x: np.ndarray, N: int) -> np.ndarray:
    """psi_n(x) for n < N (unit length scale), by the stable three-term recurrence; shape (N, len(x))."""
    psi = np.zeros((N, x.size))
    psi[0] = np.pi**-0.25 * np.exp(-x**2 / 2)
    if N > 1:
        psi[1] = math.sqrt(2) * x * psi[0]
    for k in range(2, N):
        psi[k] = math.sqrt(2 / k) * x * psi[k - 1] - math.sqrt((k - 1) / k) * psi[k - 2]
    return psi


def bin_projectors(edges: np.ndarray, N: int, scale: float, momentum: bool, nodes: int = 12) -> list:
    """Pi_bin = integral over the bin of |x><x|, in the Fock basis, for each bin (Gauss-Legendre)."""
    gx, gw = np.polynomial.legendre.leggauss(nodes)
    s = 1.0 / scale if momentum else scale
    phase = (-1j) ** np.arange(N) if momentum else np.ones(N)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        x = 0.5 * (hi - lo) * gx + 0.5 * (hi + lo)
        w = 0.5 * (hi - lo) * gw
        psi = phase[:, None] * hermite_functions(x / s, N) / math.sqrt(s)
        out.append((psi.conj() * w) @ psi.T)  # [m, n] = sum_x w conj(<x|m>) <x|n>
    return out
