"""Compare a Monte Carlo result with an exact reference through standard errors (z-scores).

For exact dynamics each z = (mean - exact) / stderr is a standard normal (up to the step error,
reported separately), so the largest |z| over K comparisons (observables x saved times) stays
below the Bonferroni bound z_K = Phi^-1(1 - 0.005 / K) in at least 99% of runs; the comparisons
of one run are positively correlated (neighbouring times, related observables), which only
lowers the largest |z|, so the bound is conservative. :func:`verdict` says where a run falls.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

DETERMINISTIC = 1e-9  # a standard error this small (relative to 1 + |mean|) is rounding, not statistics
DETERMINISTIC_TOLERANCE = 1e-6  # the reference's own accuracy, for results without statistical error


def zscores(result, reference, names=None) -> dict:
    """{observable: (mean - exact) / stderr at every saved time}.

    Where the standard error is at rounding level (every trajectory gave the same value, e.g. at
    t = 0) the comparison is deterministic: z = 0 if the values agree to the reference's accuracy,
    else inf.
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
        agree = np.abs(diff) <= DETERMINISTIC_TOLERANCE * (1 + np.abs(exact))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(rounding, np.where(agree, 0.0, np.inf), diff / err)
        out[name] = z
    return out


def bonferroni_bound(comparisons: int, level: float = 0.01) -> float:
    """|z| that the largest of ``comparisons`` standard normals exceeds with probability <= level."""
    return float(NormalDist().inv_cdf(1.0 - level / (2 * max(comparisons, 1))))


def verdict(result, reference) -> tuple:
    """(one-line verdict, consistent?) comparing ``result`` with the exact ``reference``."""
    z = zscores(result, reference)
    values = np.concatenate([v[np.isfinite(v) & (v != 0)] for v in z.values()] or [np.zeros(0)])
    infinite = sum(int(np.isinf(v).sum()) for v in z.values())
    count = values.size
    if count == 0 and not infinite:
        return "no statistical comparison (every value is deterministic and agrees)", True
    largest = float(np.abs(values).max()) if count else 0.0
    bound = bonferroni_bound(count)
    where = max(((float(np.nanmax(np.abs(v[np.isfinite(v)]), initial=0.0)), k) for k, v in z.items()))[1]
    if infinite:
        text = f"{infinite} deterministic value(s) disagree with the reference: NOT consistent with exactness"
        return text, False
    ok = largest <= bound
    text = (f"max |z| = {largest:.2f} ({where}) over {count} comparisons (observables x saved times); exact dynamics "
            f"stays below {bound:.2f} in 99% of runs (Bonferroni, conservative for these correlated comparisons): "
            + ("consistent with exactness" if ok else "NOT consistent with exactness at the 1% level"))
    return text, ok


def step_error_line(result) -> tuple:
    """(line, acceptable?) on the step error against the statistical error: one of the three statements
    of :mod:`cqplug.results.step_error` (a WARNING naming a dt when it is significantly larger)."""
    dt = result.info.dt if result.info.dt is not None else float("nan")
    if result.info.extrapolated:
        return (f"step error (dt = {dt:.4g}): the leading term is removed by the Richardson extrapolation; the "
                "residual is of higher order and not estimated"), True
    found = result.step_error()
    if found is None:
        return "step error: not estimated (run without the coarse grid)", True
    return str(found), found.acceptable
