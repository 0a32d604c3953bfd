"""Weak convergence of the ``cq`` scheme in dt against the exact reference.

    python benchmarks/weak_convergence.py [--trajectories 200000]

Toy model, delta = 1, gamma_q = 2x the minimum, t in [0, 3]. For each dt: the largest error over
saved times of <q^2>, <p^2>, <sigma_x> and <q sigma_z> against QuTiP, in units of the Monte Carlo
standard error (|z| < ~3 means the bias is invisible at this ensemble size), and the error of
<q^2> at t = 3 with the observed order between successive dt. Every row uses the same seed, so the
rows share much of their noise (common random numbers): differences between rows are sharper than
each row's z, and a common ~2 sigma offset in all rows is noise, not bias.
"""

import argparse
import math

import numpy as np

import cqplug


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trajectories", type=int, default=200_000)
    args = ap.parse_args()
    problem = cqplug.Problem("toy", {"delta": 1.0, "gamma_q": 0.5}, t_final=3.0, save_dt=0.25)
    exact = cqplug.solve(problem, "lindblad")
    names = ("q2", "p2", "sx", "qsz")
    print(f"{'dt':>7} " + " ".join(f"{'max|z| ' + n:>12}" for n in names) + f" {'err q2(3)':>10} {'± stderr':>9} {'order':>6}")
    previous = None
    for dt in (0.032, 0.016, 0.008, 0.004, 0.002):
        r = cqplug.solve(problem, "cq", trajectories=args.trajectories, seed=1, dt=dt)
        zmax = [np.max(np.abs((r.mean(n) - exact.mean(n))[1:] / r.stderr(n)[1:])) for n in names]
        err = r.mean("q2")[-1] - exact.mean("q2")[-1]
        order = math.log2(abs(previous / err)) if previous else float("nan")
        print(f"{dt:>7.3f} " + " ".join(f"{z:>12.1f}" for z in zmax) + f" {err:>10.4f} {r.stderr('q2')[-1]:>9.4f} {order:>6.2f}")
        previous = err


if __name__ == "__main__":
    main()
