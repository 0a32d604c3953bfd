"""Peak memory against the number of trajectories: statistics stream, memory stays flat.

    python benchmarks/memory.py

Runs the toy model with ``cq`` (short runs, 41 saved times, 60-bin histograms) for 10^4, 10^5
and 10^6 trajectories, each in a fresh process, and prints the peak resident set size.
"""

import subprocess
import sys

CODE = """
import resource, time, cqplug
p = cqplug.Problem("toy", t_final=0.4, save_dt=0.01)
start = time.perf_counter()
r = cqplug.solve(p, "cq", trajectories={n}, seed=1, dt=0.01)
print(r.info.trajectories, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main():
    print(f"{'trajectories':>12} {'seconds':>8} {'peak RSS (MiB)':>15}")
    for n in (10**4, 10**5, 10**6):
        out = subprocess.run([sys.executable, "-c", CODE.format(n=n)], capture_output=True, text=True, check=True)
        count, seconds, rss = out.stdout.split()
        print(f"{int(count):>12} {float(seconds):>8.1f} {float(rss):>15.0f}")


if __name__ == "__main__":
    main()
