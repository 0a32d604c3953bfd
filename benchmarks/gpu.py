"""The jax backend on a CUDA GPU, beside the cpu backend on this machine's cores, in one run.

    pip install ".[jax]" "jax[cuda12]"          # once, on the GPU machine (wheels: see docs/backends.md)
    python benchmarks/gpu.py [--max-trajectories 10000000] [--blocks 2048] [--skip-cpu]

Reports, each with the steps it ran and its wall time (compilation excluded, measured apart):

1. toy model, cq and cq-ket, dt = 1e-3, t = 1 (1000 steps), step-error grid on: trajectory-steps
   per second for 10^4, 10^5, 10^6, 10^7 trajectories (target: >= 1e9 for the toy on one
   H100-class GPU);
2. a d = 16 model (the 4-qubit chain of dimension_scaling.py), cq and cq-ket, 10^4 - 10^6;
3. time to 10^6 toy trajectories at t = 2 pi with the automatic dt (the first README command's
   problem at 100x its trajectories), and its largest |z| against the exact reference;
4. the cpu backend on the same problems (all cores), the reference figure of the same run.

Exit status 2 when JAX sees no GPU (nothing is measured then). Every figure is printed as it is
measured, so a run stopped by a time limit keeps what it printed.
"""

import argparse
import math
import os
import sys
import time

from dimension_scaling import qubit_chain  # noqa: I001 - benchmarks run as scripts from this folder

import cqplug
from cqplug.results.compare import verdict


def gpu_or_exit():
    try:
        import jax
    except ImportError:
        sys.exit('benchmarks/gpu.py: JAX is not installed: pip install ".[jax]" "jax[cuda12]"')
    try:
        devices = jax.devices("gpu")
    except RuntimeError:
        devices = []
    if not devices:
        print(f"benchmarks/gpu.py: JAX sees no GPU (devices: {jax.devices()}); install jax[cuda12] on a machine "
              "with an NVIDIA GPU. Nothing measured.", file=sys.stderr)
        sys.exit(2)
    return devices[0]


def timed(problem, method, backend, trajectories, dt, **options):
    """(result, wall seconds of the run proper, compile+first-call seconds)."""
    start = time.perf_counter()
    result = cqplug.solve(problem, method, backend=backend, trajectories=trajectories, seed=1, dt=dt,
                          progress=False, **options)
    wall = time.perf_counter() - start
    return result, result.info.run_seconds, wall - result.info.run_seconds


def rate_row(label, problem, method, backend, n, dt, **options):
    _, seconds, overhead = timed(problem, method, backend, n, dt, **options)
    steps = round(problem.t_final / dt)
    rate = n * steps / seconds
    print(f"{label:22} {method:7} {backend:4} {n:>10} {steps:>6} {seconds:9.2f}s {overhead:7.1f}s {rate:12.3g}",
          flush=True)
    return rate


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-trajectories", type=int, default=10_000_000)
    ap.add_argument("--blocks", type=int, default=2048, help="seed blocks (512 trajectories) per device call")
    ap.add_argument("--skip-cpu", action="store_true", help="no cpu reference rows")
    ap.add_argument("--device", default="gpu", help="the JAX device (cpu: a dry run of this script without a GPU)")
    args = ap.parse_args()
    if args.device.startswith("gpu"):
        print(f"GPU: {gpu_or_exit().device_kind}; CPU cores here: {os.cpu_count()}; cqplug {cqplug.__version__}\n")
    gpu = {"device": args.device, "blocks": args.blocks}
    toy = cqplug.Problem("toy", t_final=1.0, save_dt=0.125)
    d16 = cqplug.Problem(qubit_chain(4), t_final=0.25, save_dt=0.125)
    sizes = [n for n in (10_000, 100_000, 1_000_000, 10_000_000) if n <= args.max_trajectories]
    print(f"{'problem':22} {'method':7} {'on':4} {'traj':>10} {'steps':>6} {'run':>10} {'compile':>8} "
          f"{'traj-steps/s':>12}")
    best = {}
    for method in ("cq", "cq-ket"):
        timed(toy, method, "jax", 10_000, 1e-3, **gpu)  # compile once per structure
        for n in sizes:
            best[method] = max(best.get(method, 0.0), rate_row("toy d=2", toy, method, "jax", n, 1e-3, **gpu))
        if not args.skip_cpu:
            rate_row("toy d=2", toy, method, "cpu", 200_000, 1e-3)
    for method in ("cq", "cq-ket"):
        for n in [n for n in sizes if n <= 1_000_000]:
            rate_row("chain d=16", d16, method, "jax", n, 1e-3, **gpu)
        if not args.skip_cpu:
            rate_row("chain d=16", d16, method, "cpu", 2_000, 1e-3)
    print(f"\nbest toy rate on {args.device}: cq {best['cq']:.3g}, cq-ket {best['cq-ket']:.3g} trajectory-steps/s "
          f"(target >= 1e9)")

    problem = cqplug.Problem("toy", t_final=2 * math.pi)
    reference = cqplug.solve(problem, "lindblad")
    for backend, options in (("jax", gpu), ("cpu", {})):
        if backend == "cpu" and args.skip_cpu:
            continue
        start = time.perf_counter()
        result = cqplug.solve(problem, "cq", backend=backend, trajectories=min(1_000_000, args.max_trajectories),
                              seed=2, progress=False, **options)
        wall = time.perf_counter() - start
        print(f"{result.info.trajectories} toy trajectories to t = 2 pi on {backend} "
              f"(dt = {result.info.dt:.4g}, automatic, step error on): {wall:.1f} s wall "
              f"({result.info.run_seconds:.1f} s run); {verdict(result, reference)[0]}", flush=True)


if __name__ == "__main__":
    main()
