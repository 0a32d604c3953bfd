"""A qubit in a bath of n classical modes: compile time and cost per step against n, beside the toy.

    python benchmarks/bath_scaling.py [--modes 2 8 32 100 1000] [--trajectories 8192]

The model is the built-in spin-boson (Ohmic) with n modes, declared with arrays (cqplug.Quadratic,
cqplug.Linear), method ``cq`` on the cpu backend, one worker, default time step and saved times.
For each n it prints the cold first run (a fresh process with an empty kernel cache: import, model,
problem, compiled system, kernel compilation and a 512-trajectory run, all included) and the
throughput in trajectory-steps per second of a warm run (the kernel's own time, ``run_seconds``),
next to the toy model's throughput measured in the same run.
"""

import argparse
import subprocess
import sys
import tempfile
import time

COLD = """
import time, sys
start = time.perf_counter()
import cqplug
from cqplug_models.spin_boson import spin_boson
problem = cqplug.Problem(spin_boson({n}), t_final=2.0)
cqplug.solve(problem, "cq", trajectories=512, seed=1, progress=False, workers=1)
print(time.perf_counter() - start)
"""


def cold_first_run(n: int) -> float:
    """Seconds of a whole first run in a fresh process with an empty kernel cache."""
    with tempfile.TemporaryDirectory() as cache:
        out = subprocess.run([sys.executable, "-c", COLD.format(n=n)], capture_output=True, text=True, check=True,
                             env={"CQPLUG_CACHE_DIR": cache, "PATH": "", "HOME": cache})
    return float(out.stdout.split()[-1])


def throughput(problem, trajectories: int) -> float:
    """Trajectory-steps per second of a warm run (the kernel compiled already), one worker."""
    import cqplug

    cqplug.solve(problem, "cq", trajectories=512, seed=1, progress=False, workers=1)  # compile / load
    result = cqplug.solve(problem, "cq", trajectories=trajectories, seed=2, progress=False, workers=1)
    steps = result.info.steps_per_save * (len(result.times) - 1)
    return trajectories * steps / result.info.run_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", type=int, nargs="+", default=[2, 8, 32, 100, 1000])
    parser.add_argument("--trajectories", type=int, default=8192)
    args = parser.parse_args()

    from cqplug_models.spin_boson import spin_boson

    import cqplug

    toy = throughput(cqplug.Problem("toy", t_final=2.0), 8 * args.trajectories)
    print(f"toy (n = 1): {toy:.3g} trajectory-steps/s (one worker)")
    print(f"{'modes':>6} {'cold first run [s]':>19} {'problem + compile [s]':>22} {'traj-steps/s':>13} "
          f"{'toy / bath':>10}")
    for n in args.modes:
        cold = cold_first_run(n)
        start = time.perf_counter()
        problem = cqplug.Problem(spin_boson(n), t_final=2.0)
        setup = time.perf_counter() - start
        rate = throughput(problem, args.trajectories)
        print(f"{n:>6} {cold:>19.1f} {setup:>22.2f} {rate:>13.3g} {toy / rate:>10.0f}", flush=True)


if __name__ == "__main__":
    main()
