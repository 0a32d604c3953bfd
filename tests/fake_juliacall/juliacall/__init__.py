"""A stand-in for juliacall, for tests only (put its parent folder first on PYTHONPATH).

It behaves as juliacall does where cqplug depends on it: importing it "starts Julia" (recording
whether NumPy was already imported, and blocking SIGINT and SIGTERM in the calling thread as Julia's
signal handling does), ``Base.include(Main, path)`` defines ``Main.CQPlug``, whose
``load_model`` and ``ensemble_values`` answer with arrays of CQPlug.jl's shapes and order. What it
does is steered by environment variables:

    FAKE_JULIA_LOG    a file that gets one line per event (import, include, load_model, block N)
    FAKE_JULIA_MODE   ok | slow (FAKE_JULIA_SLEEP seconds per block) | diverge-classical |
                      diverge-quantum (from the third call on) | interrupt (a Julia InterruptException)
"""

import os
import signal
import sys


def _log(line: str) -> None:
    with open(os.environ["FAKE_JULIA_LOG"], "a") as fh:
        fh.write(line + "\n")


_log(f"import numpy-loaded={'numpy' in sys.modules}")
if hasattr(signal, "pthread_sigmask"):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})

import time  # noqa: E402

import numpy as np  # noqa: E402


class JuliaError(Exception):
    """As juliacall's: a Julia exception seen from Python."""


class _Array:
    def __init__(self, array):
        self.array = array

    def to_numpy(self):
        return self.array.copy()


class _CQPlug:
    blocks = 0

    def load_model(self, source):
        _log("load_model")
        return object()

    def ensemble_values(self, model, params, ket, m, sigma, force, A0, A, G, expect_L, expect_C, expect_B, trace,
                        z_mean, z_root, x_initial, cumulative, saveat, *, trajectories, seed, dt, solver,
                        step_error, bound):
        mode = os.environ.get("FAKE_JULIA_MODE", "ok")
        _log(f"block {trajectories}")
        if mode == "slow":
            time.sleep(float(os.environ.get("FAKE_JULIA_SLEEP", "0.3")))
        if mode == "interrupt":
            raise JuliaError("InterruptException:")
        rng = np.random.default_rng(seed)
        K, nt, nz = expect_B.shape[-1], len(saveat), len(z_mean)
        values = rng.normal(size=(K, nt, trajectories))
        z = z_mean[:, None, None] + rng.normal(size=(nz, nt, trajectories))
        self.blocks += 1
        failed = {"diverge-classical": [3, 0], "diverge-quantum": [0, 2]}.get(mode, [0, 0])
        if self.blocks <= 2:  # the pilot run (histogram ranges) and the first block come through
            failed = [0, 0]
        return _Array(values), _Array(values), _Array(z), failed  # coarse = fine: no step error


class _Main:
    pass


class _Base:
    @staticmethod
    def include(main, path):
        _log(f"include {os.path.basename(path)}")
        main.CQPlug = _CQPlug()


Main = _Main()
Base = _Base()
