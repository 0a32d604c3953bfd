"""Weak order of the split CQ step, measured with coupled paths (physics.md §8).

    python benchmarks/weak_convergence.py [--trajectories 200000] [--quick]

For a scheme of weak order p, E[f]_dt = E[f] + c dt^p. Every run integrates each trajectory on
dt and, with the same Brownian increments, on 2 dt, so D(dt) = E[f_2dt - f_dt] = c (2^p - 1) dt^p
is measured with little noise; successive D(dt)/D(dt/2) -> 2^p gives the order. For each model
and dt the table prints, per observable, D at the saved time where it is largest (with its
standard error), the observed order between successive dt, and the error of the fine estimate
against the exact reference in standard errors (|z|). Models: the toy above the threshold
(commuting coupling; delta = 1, gamma_q = 2x the minimum), mediated-qubits (d = 4, two
commuting couplings, delta = 0.7) and two-oscillators (non-commuting sigma_z and sigma_x
couplings: the palindromic general step).
"""

import argparse
import math

import numpy as np

import cqplug

CASES = {
    "toy": ({"delta": 1.0, "gamma_q": 0.5}, ["q2", "p2", "sx", "qsz"]),
    "mediated-qubits": ({"delta": 0.7}, ["q2", "XI", "XX", "ZZ"]),
    "two-oscillators": ({}, ["q1", "q1q2", "sx", "sz"]),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trajectories", type=int, default=200_000)
    ap.add_argument("--quick", action="store_true", help="fewer trajectories and step sizes")
    args = ap.parse_args()
    trajectories = 20_000 if args.quick else args.trajectories
    steps = (0.2, 0.1, 0.05) if args.quick else (0.2, 0.1, 0.05, 0.025, 0.0125)
    for model, (params, names) in CASES.items():
        problem = cqplug.Problem(model, params, t_final=2.0, save_dt=0.4)
        exact = cqplug.solve(problem, "lindblad", progress=False)
        print(f"\n{model} {params}, t in [0, 2], {trajectories} trajectories per dt; per observable: "
              "D = E[f_2dt - f_dt] where largest, observed order, max |z| of the fine mean against the exact one")
        previous = {}
        for dt in steps:
            r = cqplug.solve(problem, "cq", trajectories=trajectories, seed=1, dt=dt, progress=False)
            cells = []
            for n in names:
                difference = r.bias(n)  # the reported step error is E[f_2dt - f_dt]
                noise = r.bias_stderr(n)
                i = int(np.argmax(np.abs(difference)))
                z = np.max(np.abs((r.mean(n) - exact.mean(n))[1:] / r.stderr(n)[1:]))
                observed = math.log2(abs(previous[n] / difference[i])) if n in previous and difference[i] else math.nan
                previous[n] = difference[i]
                cells.append(f"{n}: {difference[i]:+.2e} ± {noise[i]:.0e} ({observed:4.2f}) |z| {z:3.1f}")
            print(f"dt {r.info.dt:.4f}  " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
