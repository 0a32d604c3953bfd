"""Throughput of the CPU backend on the toy model, beside the Gaussian-draw ceiling.

    python benchmarks/throughput.py [--trajectories 100000] [--t-final 3] [--dt 0.001]

Prints trajectory-steps per second for ``cq`` and ``cq-ket`` (saturated and above the threshold)
and for the toy in an environment (``cq``: the qubit decaying through ``amplitude-damping``, the
oscillator in a ``thermal-oscillator`` bath), with and without the coarse grid of the step-error
estimate, on one worker and on all cores, next to NumPy's rate of drawing standard normals in the
same run (the practical ceiling when every step needs one Gaussian).
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/models.py

import cqplug  # noqa: E402
from tests.models import toy_in_environment  # noqa: E402 - the model the tests use too


def gaussian_ceilings(n=20_000_000, chunk=1_000_000) -> tuple:
    """Standard normals per second: Generator (PCG64, ziggurat) into a buffer; legacy allocating call."""
    rng = np.random.default_rng(0)
    out = np.empty(chunk)
    start = time.perf_counter()
    for _ in range(n // chunk):
        rng.standard_normal(out=out)
    generator = n / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(n // chunk // 4):
        np.random.standard_normal(chunk)
    legacy = n / 4 / (time.perf_counter() - start)
    return generator, legacy


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trajectories", type=int, default=100_000)
    ap.add_argument("--t-final", type=float, default=3.0)
    ap.add_argument("--dt", type=float, default=1e-3)
    args = ap.parse_args()
    cores = os.cpu_count()
    ceiling, legacy = gaussian_ceilings()
    print(f"NumPy standard normals per second, one core: {ceiling:.3g} (default_rng into a buffer: the ceiling "
          f"below), {legacy:.3g} (legacy np.random.standard_normal)\n")
    print(f"{'method':8} {'rates':16} {'step error':10} {'workers':>7} {'traj-steps/s':>13} {'per core':>10} "
          f"{'% ceiling':>9} {'speed-up':>8}")
    cases = [(method, label, "toy", params) for method in ("cq", "cq-ket")
             for label, params in (("saturated", {}), ("gamma_q = 2x min", {"gamma_q": 0.5}))]
    cases.append(("cq", "environment", toy_in_environment(), {}))
    for method, label, model, params in cases:
        problem = cqplug.Problem(model, params, t_final=args.t_final)
        cqplug.solve(problem, method, trajectories=500, seed=0, dt=args.dt)  # compile outside the timing
        for step_error in (True, False):
            single = None
            for workers in sorted({1, cores}):
                r = cqplug.solve(problem, method, trajectories=args.trajectories, seed=1, dt=args.dt,
                                 workers=workers, step_error=step_error, progress=False)
                steps = r.info.trajectories * round(args.t_final / r.info.dt)
                rate = steps / r.info.run_seconds
                single = single or rate
                print(f"{method:8} {label:16} {'on' if step_error else 'off':10} {workers:>7} {rate:>13.3g} "
                      f"{rate / workers:>10.3g} {100 * rate / workers / ceiling:>8.0f}% {rate / single:>8.2f}")

if __name__ == "__main__":
    main()
