"""The jax backend (on this machine's CPU) beside the cpu backend, in the same run.

    python benchmarks/backends.py [--seconds 4] [--qubits 3 4]

Trajectory-steps per second (all cores, step-error grid on, dt = 1e-3) on the toy model and
on the qubit chains of benchmarks/dimension_scaling.py (d = 2^qubits), for cq and cq-ket, with
the compile time of each backend's first solve. The jax backend's target is a GPU (see
benchmarks/gpu.py); on a CPU it shows what XLA makes of the same step.
"""

import argparse
import time

from dimension_scaling import qubit_chain  # noqa: I001 - benchmarks run as scripts from this folder

import cqplug


def rate(problem, method, backend, seconds) -> tuple:
    """(first-solve seconds, trajectory-steps per second)."""
    start = time.perf_counter()
    cqplug.solve(problem, method, backend=backend, trajectories=512, seed=0, dt=1e-3, progress=False)
    first = time.perf_counter() - start
    trajectories, elapsed = 1024, 0.0
    while elapsed < seconds / 3:
        r = cqplug.solve(problem, method, backend=backend, trajectories=trajectories, seed=1, dt=1e-3, progress=False)
        elapsed = r.info.run_seconds
        trajectories *= 2
    return first, r.info.trajectories * round(problem.t_final / r.info.dt) / elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--qubits", type=int, nargs="*", default=[3, 4])
    args = ap.parse_args()
    problems = [("toy (d=2)", cqplug.Problem("toy", t_final=1.0, save_dt=0.125))]
    problems += [(f"chain d={2**nq}", cqplug.Problem(qubit_chain(nq), t_final=0.25, save_dt=0.125))
                 for nq in args.qubits]
    print(f"{'problem':12} {'method':7} {'cpu steps/s':>12} {'jax steps/s':>12} {'jax/cpu':>8} {'cpu first':>10} "
          f"{'jax first':>10}")
    for label, problem in problems:
        for method in ("cq", "cq-ket"):
            cpu_first, cpu = rate(problem, method, "cpu", args.seconds)
            jax_first, jax = rate(problem, method, "jax", args.seconds)
            print(f"{label:12} {method:7} {cpu:12.3g} {jax:12.3g} {jax / cpu:8.3f} {cpu_first:9.1f}s {jax_first:9.1f}s",
                  flush=True)


if __name__ == "__main__":
    main()
