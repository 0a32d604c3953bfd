"""Wall time to a given accuracy: a fixed small dt against multilevel Monte Carlo (issue 11).

    python benchmarks/time_to_accuracy.py [--fraction 0.01]

For each problem the target is E = fraction x the smallest range (over the run) of the listed
observables in the exact solution. Two ways to reach it, all cores, in the same run:

* fixed dt = 1e-3 (the engine's former default), no step-error grid, trajectories until every
  standard error is below E/2 (``target_stderr``): its step error is unknown to it;
* ``target_error=E``: multilevel Monte Carlo from the automatic dt until statistical plus the
  estimated step error is below E at every saved time.

Printed per problem and strategy: wall time (compilation excluded by a warm-up run), trajectories,
and the error actually achieved, max |mean - exact| over the observables and saved times, against E.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import cqplug

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root
from tests.models import two_qubit_sum  # noqa: E402 - issue 11's model, as the tests define it

PROBLEMS = {
    "toy, delta = 1, gamma_q = 2x min": ("toy", {"delta": 1.0, "gamma_q": 0.5}, ["q2", "sx", "qsz"]),
    "two-qubit sum (d = 4)": (two_qubit_sum(), {}, ["q2", "IX", "ZZ"]),
}


def achieved(result, exact, names) -> float:
    return max(float(np.max(np.abs(result.mean(n) - exact.mean(n)))) for n in names)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fraction", type=float, default=0.01)
    args = ap.parse_args()
    print(f"{'problem':34} {'strategy':38} {'wall':>8} {'trajectories':>12} {'achieved':>9} {'target':>8}")
    for label, (model, params, names) in PROBLEMS.items():
        problem = cqplug.Problem(model, params, t_final=2.0, save_dt=0.25)
        exact = cqplug.solve(problem, "lindblad", progress=False)
        target = args.fraction * min(float(np.ptp(exact.mean(n))) for n in names)
        strategies = {
            "fixed dt = 1e-3, stderr < E/2": dict(dt=1e-3, step_error=False, target_stderr=target / 2),
            "target_error = E (multilevel)": dict(target_error=target),
        }
        times = {}
        for name, options in strategies.items():
            cqplug.solve(problem, "cq", trajectories=512, seed=0, progress=False,
                         **{k: v for k, v in options.items() if k in ("dt", "step_error")})  # warm-up: compile
            start = time.perf_counter()
            result = cqplug.solve(problem, "cq", seed=1, progress=False, **options)
            times[name] = time.perf_counter() - start
            print(f"{label:34} {name:38} {times[name]:7.2f}s {result.info.trajectories:>12} "
                  f"{achieved(result, exact, names):9.2g} {target:8.2g}", flush=True)
        fixed, multilevel = times.values()
        print(f"{label:34} {'ratio fixed / multilevel':38} {fixed / multilevel:7.1f}x\n", flush=True)


if __name__ == "__main__":
    main()
