"""Scaling of ensembles on Dask, beside the local (threads) executor, and the cost of a chunk.

    python benchmarks/dask_scaling.py [--trajectories 40000] [--t-final 3] [--dt 0.001]

Part 1: trajectory-steps per second for the toy model (cq, saturated) with the local executor on
1 and 2 threads and on a Dask LocalCluster of 1 and 2 single-threaded worker processes (each
cluster warmed up first, so compilation is not counted).
Part 2: the per-chunk overhead: ensembles of one-step trajectories (almost no work), so the wall
time per chunk is what the executor costs per task. Choose chunks on a real cluster so that one
chunk's compute time (trajectories per chunk x steps / rate per worker) is >> this overhead.
"""

import argparse
import math
import time

import cqplug
from cqplug.solving.executors import DaskExecutor, LocalExecutor


def timed(problem, executor, trajectories, dt, chunk_size):
    start = time.perf_counter()
    cqplug.solve(problem, "cq", trajectories=trajectories, seed=1, dt=dt, chunk_size=chunk_size, executor=executor,
                 progress=False, hist_range={"q": (-8, 8), "p": (-8, 8)})
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trajectories", type=int, default=40_000)
    ap.add_argument("--t-final", type=float, default=3.0)
    ap.add_argument("--dt", type=float, default=1e-3)
    args = ap.parse_args()
    problem = cqplug.Problem("toy", t_final=args.t_final, save_dt=args.t_final / 10)
    steps = args.trajectories * round(args.t_final / args.dt)
    tiny = cqplug.Problem("toy", t_final=1e-3, save_dt=1e-3)

    print(
        f"toy, cq, saturated; {args.trajectories} trajectories x {round(args.t_final / args.dt)} steps, chunks of 2000"
    )
    print(f"{'executor':<28} {'traj-steps/s':>14} {'speed-up':>9}")
    base = None
    overheads = []
    for label, make in [
        ("local, 1 thread", lambda: LocalExecutor(1)),
        ("local, 2 threads", lambda: LocalExecutor(2)),
        ("dask LocalCluster, 1 worker", lambda: DaskExecutor(workers=1)),
        ("dask LocalCluster, 2 workers", lambda: DaskExecutor(workers=2)),
    ]:
        executor = make()
        if isinstance(executor, DaskExecutor):
            executor.client()
        try:
            timed(problem, executor, 4000, args.dt, 500)  # warm-up: 8 chunks, so every worker compiles
            rate = steps / timed(problem, executor, args.trajectories, args.dt, 2000)
            base = base or rate
            print(f"{label:<28} {rate:>14.3g} {rate / base:>8.2f}x")
            if label.endswith("2 threads") or label.endswith("2 workers"):
                for chunk in (500, 2000):
                    n = 200 * chunk
                    overheads.append((label, chunk, timed(tiny, executor, n, 1e-3, chunk) / math.ceil(n / chunk)))
        finally:
            if isinstance(executor, DaskExecutor):
                executor.close()
    print("\nper-chunk cost with (almost) no work per trajectory: one-step trajectories, 200 chunks")
    print(f"{'executor':<28} {'chunk':>7} {'ms per chunk':>13}")
    for label, chunk, seconds in overheads:
        print(f"{label:<28} {chunk:>7} {1e3 * seconds:>13.2f}")


if __name__ == "__main__":
    main()
