"""Compare a Monte Carlo result with an exact reference through standard errors (z-scores)."""

from __future__ import annotations

import numpy as np


def zscores(result, reference, names=None) -> dict:
    """{observable: (mean - exact) / stderr at every saved time}; times with zero stderr are skipped."""
    if not np.allclose(result.times, reference.times):
        raise ValueError("results have different saved times; solve both on the same Problem")
    out = {}
    for name in names or result.observables:
        if name not in reference.observables:
            continue
        err = result.stderr(name)
        ok = err > 0
        z = np.full(err.shape, np.nan)
        z[ok] = (result.mean(name)[ok] - reference.mean(name)[ok]) / err[ok]
        out[name] = z
    return out
