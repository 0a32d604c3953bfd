"""Compare a Monte Carlo result with an exact reference through standard errors (z-scores)."""

from __future__ import annotations

import numpy as np

DETERMINISTIC = 1e-9  # a standard error this small (relative to 1 + |mean|) is rounding, not statistics


def zscores(result, reference, names=None) -> dict:
    """{observable: (mean - exact) / stderr at every saved time}.

    Where the standard error is at rounding level (every trajectory gave the same value, e.g. at
    t = 0) the comparison is deterministic: z = 0 if the values agree to 1e-9, else inf.
    """
    if not np.allclose(result.times, reference.times):
        raise ValueError("results have different saved times; solve both on the same Problem")
    out = {}
    for name in names or result.observables:
        if name not in reference.observables:
            continue
        mean, exact, err = result.mean(name), reference.mean(name), result.stderr(name)
        diff = mean - exact
        rounding = err <= DETERMINISTIC * (1 + np.abs(exact))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(rounding, np.where(np.abs(diff) <= 1e-9 * (1 + np.abs(exact)), 0.0, np.inf), diff / err)
        out[name] = z
    return out
