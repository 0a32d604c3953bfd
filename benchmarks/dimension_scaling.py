"""Cost per trajectory step against the quantum dimension d, beside numpy.matmul's rate.

    python benchmarks/dimension_scaling.py [--qubits 1 2 3 4 5] [--seconds 3]

The model of issue 12: one oscillator coupled to a chain of nq qubits, H_Q = (1/2) sum_k X_k,
coupling lam q sum_k Z_k (d = 2^nq), at the trade-off. For each d and method (cq: a density
matrix; cq-ket: a ket), one worker, dt = 1e-3: trajectory-steps per second with and without the
coarse grid that measures the step error. For d >= 16, where the work is the density's two
complex d x d products per step (8 d^3 real flops each, plus half as much on the coarse grid),
the table gives the flop rate beside numpy.matmul's on a batch of complex d x d matrices in the
same run (its 8 d^3 flops per product).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import cqplug

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/models.py
from tests.models import qubit_chain  # noqa: E402 - the model the tests use too


def matmul_rate(d: int, seconds: float = 1.0) -> float:
    """Real flops/s of numpy.matmul on a batch of complex d x d matrices (8 d^3 per product)."""
    batch = max(1, 2**22 // (d * d))
    a = (np.random.rand(batch, d, d) + 1j * np.random.rand(batch, d, d))
    b = a.copy()
    np.matmul(a, b)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        np.matmul(a, b)
        count += 1
    return count * batch * 8 * d**3 / (time.perf_counter() - start)


def rate(problem, method, step_error, seconds) -> float:
    cqplug.solve(problem, method, trajectories=512, seed=0, dt=1e-3, step_error=step_error, progress=False)  # compile
    trajectories, elapsed = 512, 0.0
    while elapsed < seconds / 4:
        r = cqplug.solve(problem, method, trajectories=trajectories, seed=1, dt=1e-3, workers=1,
                         step_error=step_error, progress=False)
        elapsed = r.info.run_seconds
        trajectories *= 2
    return r.info.trajectories * round(problem.t_final / r.info.dt) / elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qubits", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    print(f"{'d':>3} {'method':7} {'steps/s':>10} {'no step error':>14} {'GFlop/s':>8} {'matmul GFlop/s':>15} "
          f"{'% matmul':>9}")
    for nq in args.qubits:
        d = 2**nq
        problem = cqplug.Problem(qubit_chain(nq), t_final=0.5, save_dt=0.125)
        reference = matmul_rate(d) if d >= 16 else None
        for method in ("cq", "cq-ket"):
            with_error = rate(problem, method, True, args.seconds)
            without = rate(problem, method, False, args.seconds)
            flops = gflops = share = ""
            if reference is not None and method == "cq":
                flops = with_error * 2 * 8 * d**3 * 1.5  # two complex products per step, coarse grid half again
                gflops, share = f"{flops / 1e9:8.2f}", f"{100 * flops / reference:8.0f}%"
            print(f"{d:>3} {method:7} {with_error:>10.3g} {without:>14.3g} {gflops:>8} "
                  f"{'' if reference is None else f'{reference / 1e9:15.2f}':>15} {share:>9}", flush=True)


if __name__ == "__main__":
    main()
