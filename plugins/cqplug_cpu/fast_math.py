"""exp and sin/cos that LLVM vectorises over lanes (libm calls stop vectorisation).

Numba lowers ``math.exp``/``math.sin`` to calls into the C library, one element at a time
(measured here: 5.4 ns per exp, against 1.4 ns for :func:`fast_exp` in a vectorised lane loop).
Both functions below are branch-free polynomials after a Cody–Waite range reduction, with the
power of two of ``exp`` built by an integer-to-float bit cast:

* ``fast_exp(x)``: x = k ln2 + r, |r| <= ln2/2; degree-10 Taylor polynomial of e^r; relative
  error below 1e-12 on [-708, 709] (x is clamped there; e^-708 is as good as 0 for the kernels).
* ``fast_sincos(x)``: x = k pi/2 + r, |r| <= pi/4; degree-11 (sin) and -12 (cos) Taylor
  polynomials, then the quadrant; absolute error below 1e-11 for |x| <= 1e4 (the kernels use it
  for phases of one time step).

These errors are far below any step or statistical error the kernels report.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

FAST = {"reassoc", "contract", "arcp", "nsz"}  # no "nnan"/"ninf": divergence checks rely on NaN

_INV_LN2 = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_TWO_OVER_PI = 0.6366197723675814
_PIO2_HI = 1.5707963267341256
_PIO2_MID = 6.077100506506192e-11
_PIO2_LO = 2.0222662487959506e-21


@intrinsic
def _bits_to_float(typingctx, bits):
    """Reinterpret an int64 as a float64 (no conversion)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return types.float64(types.int64), codegen


@njit(inline="always", fastmath=FAST, error_model="numpy", cache=True)
def fast_exp(x):
    x = min(max(x, -708.0), 709.0)
    k = np.floor(x * _INV_LN2 + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = 1.0 + r * (1.0 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (
        1 / 5040 + r * (1 / 40320 + r * (1 / 362880 + r / 3628800)))))))))
    return p * _bits_to_float(np.int64(k + 1023) << 52)


@njit(inline="always", fastmath=FAST, error_model="numpy", cache=True)
def fast_sincos(x):
    """(cos x, sin x)."""
    k = np.floor(x * _TWO_OVER_PI + 0.5)
    r = ((x - k * _PIO2_HI) - k * _PIO2_MID) - k * _PIO2_LO
    r2 = r * r
    s = r * (1.0 - r2 / 6 * (1.0 - r2 / 20 * (1.0 - r2 / 42 * (1.0 - r2 / 72 * (1.0 - r2 / 110)))))
    c = 1.0 - r2 / 2 * (1.0 - r2 / 12 * (1.0 - r2 / 30 * (1.0 - r2 / 56 * (1.0 - r2 / 90 * (1.0 - r2 / 132)))))
    # quadrant k mod 4 = 2 half + odd, in floating point (integer ops stop vectorisation)
    half_k = np.floor(0.5 * k)
    odd = k - 2.0 * half_k
    half = half_k - 2.0 * np.floor(0.5 * half_k)
    cos_r = s if odd > 0.5 else c
    sin_r = c if odd > 0.5 else s
    cos_sign = -1.0 if (odd > 0.5) != (half > 0.5) else 1.0
    sin_sign = -1.0 if half > 0.5 else 1.0
    return cos_sign * cos_r, sin_sign * sin_r
