"""Helpers for the tests: statistical comparisons (written independently of cqplug.results.compare), subprocesses
of the command line and of plugin packages installed with pip, and waits that do not depend on the machine's load."""

import importlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROUNDING = 1e-9  # stderr this small (relative to 1 + |exact|): every trajectory gave the same value
REFERENCE_ACCURACY = 1e-6  # QuTiP's own accuracy, for values without statistical error


def zscores(result, reference, name):
    """(MC mean - exact) / stderr per saved time; values without statistical error compare to 1e-6."""
    mean, exact, err = result.mean(name), reference.mean(name), result.stderr(name)
    tiny = err < ROUNDING * (1 + np.abs(exact))
    z = np.empty_like(mean)
    z[~tiny] = (mean[~tiny] - exact[~tiny]) / err[~tiny]
    z[tiny] = np.where(np.abs(mean[tiny] - exact[tiny]) < REFERENCE_ACCURACY * (1 + np.abs(exact[tiny])), 0.0, np.inf)
    return z


def assert_agrees(result, reference, names=None, threshold=4.0):
    """Every observable at every saved time within ``threshold`` standard errors of the exact value."""
    bad = {}
    for name in names or reference.observables:
        z = zscores(result, reference, name)
        if np.max(np.abs(z)) > threshold:
            i = int(np.argmax(np.abs(z)))
            bad[name] = (f"t={result.times[i]:.3f}: {result.mean(name)[i]:.5f} vs exact {reference.mean(name)[i]:.5f} "
                         f"(z={z[i]:.1f})")
    assert not bad, f"{result.info.method} disagrees with the exact solution: {bad}"


def assert_power(result, reference, fraction=0.01, sigmas=4.0, names=None):
    """The comparison can fail: a shift of ``fraction`` of an observable's range over the run is
    at least ``sigmas`` standard errors at every saved time (``names``, default every observable
    that varies by > 1e-2)."""
    weak = {}
    for name in reference.observables if names is None else names:
        span = np.ptp(reference.mean(name))
        if span > 1e-2 and fraction * span < sigmas * result.stderr(name).max():
            weak[name] = f"1% of range = {fraction * span:.4f}, max stderr = {result.stderr(name).max():.4f}"
    assert not weak, f"too few trajectories to detect a 1% bug: {weak}"


def assert_step_error_small(result, sigmas=1.0):
    """The run's own step-error estimate is not significantly above ``sigmas`` standard errors."""
    found = result.step_error()
    assert found is not None and found.lower <= sigmas, f"step error significant: {found}"


def julia_or_skip():
    """Skip (with the reason) where the Julia backend cannot start."""
    ok, why = importlib.import_module("cqplug_julia.bridge").status()
    if not ok:
        pytest.skip(f"Julia backend unavailable here: {why}")


def wait_for_cpu(pid: int, seconds: float, descendants: bool = False, timeout: float = 600.0) -> None:
    """Until process ``pid`` (or, with ``descendants``, the processes below it: Dask's workers) has used
    ``seconds`` of CPU time. CPU time, unlike a wall-clock sleep, does not stretch on a busy machine, so
    a test that waits for it knows that work (imports, compiling, blocks) has been done."""
    tick = os.sysconf("SC_CLK_TCK")

    def table():
        out = {}
        for path in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = path.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[int(path.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
        return out

    def used():
        processes = table()
        if not descendants:
            return processes.get(pid, (0, 0.0))[1]
        total, todo = 0.0, [pid]
        while todo:
            parent = todo.pop()
            for child, (ppid, cpu) in processes.items():
                if ppid == parent:
                    total += cpu
                    todo.append(child)
        return total

    deadline = time.monotonic() + timeout
    while used() < seconds:
        assert time.monotonic() < deadline, f"process {pid} did not use {seconds} s of CPU in {timeout} s"
        time.sleep(0.5)


def interruptible() -> None:
    """``preexec_fn`` of a subprocess that a test will Ctrl-C: a shell that runs the suite in the background
    starts it with SIGINT ignored, which Python then keeps ignoring (no KeyboardInterrupt at all)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def pip_install(package: Path, target: Path) -> dict:
    """Install a copy of ``package`` (builds write into the source tree) into ``target``; return an
    environment in which it is importable."""
    source = target.parent / f"{package.name}-source"
    shutil.copytree(package, source)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(source)], check=True, capture_output=True, text=True)
    return os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")]))}


def cqplug_cli(env, *args, cwd=None):
    """Run ``cqplug ARGS`` in a subprocess with the environment ``env``."""
    return subprocess.run([sys.executable, "-m", "cqplug.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=600)
