"""Statistical comparison helpers for the tests (written independently of cqplug.compare)."""

import importlib

import numpy as np
import pytest


def zscores(result, reference, name):
    """(MC mean - exact) / stderr per saved time; stderr at rounding level compares to 1e-9."""
    mean, exact, err = result.mean(name), reference.mean(name), result.stderr(name)
    tiny = err < 1e-9 * (1 + np.abs(exact))
    z = np.empty_like(mean)
    z[~tiny] = (mean[~tiny] - exact[~tiny]) / err[~tiny]
    z[tiny] = np.where(np.abs(mean[tiny] - exact[tiny]) < 1e-9 * (1 + np.abs(exact[tiny])), 0.0, np.inf)
    return z


def assert_agrees(result, reference, names=None, threshold=4.0):
    """Every observable at every saved time within ``threshold`` standard errors of the exact value."""
    bad = {}
    for name in names or reference.observables:
        z = zscores(result, reference, name)
        if np.max(np.abs(z)) > threshold:
            i = int(np.argmax(np.abs(z)))
            bad[name] = f"t={result.times[i]:.3f}: {result.mean(name)[i]:.5f} vs exact {reference.mean(name)[i]:.5f} (z={z[i]:.1f})"
    assert not bad, f"{result.info['method']} disagrees with the exact solution: {bad}"


def assert_power(result, reference, fraction=0.01, sigmas=4.0, names=None):
    """The comparison can fail: a shift of ``fraction`` of an observable's range over the run is
    at least ``sigmas`` standard errors at every saved time (``names``, default every observable
    that varies by > 1e-2)."""
    weak = {}
    for name in names or reference.observables:
        span = np.ptp(reference.mean(name))
        if span > 1e-2 and fraction * span < sigmas * result.stderr(name).max():
            weak[name] = f"1% of range = {fraction * span:.4f}, max stderr = {result.stderr(name).max():.4f}"
    assert not weak, f"too few trajectories to detect a 1% bug: {weak}"


def julia_or_skip():
    """Skip (with the reason) where the Julia backend cannot start."""
    ok, why = importlib.import_module("cqplug_julia.bridge").status()
    if not ok:
        pytest.skip(f"Julia backend unavailable here: {why}")
