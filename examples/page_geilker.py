"""The Page–Geilker set-up: does the oscillator follow the qubit's actual outcome or its average?

    python examples/page_geilker.py [--trajectories 50000]

The qubit starts in |+>, the oscillator in its ground state, and the coupling lam q sigma_z pushes
the oscillator towards q = -lam sigma_z (1 - cos t). At t = pi the exact position distribution has
two peaks at q = -+2 lam: the oscillator follows the outcome. CQ trajectories reproduce it;
mean-field puts one peak at q = 0. Prints the three distributions side by side (needs QuTiP for
the exact one: pip install "cqplug[reference]").
"""

import argparse
import math

import numpy as np

import cqplug


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trajectories", type=int, default=50_000)
    args = ap.parse_args()
    problem = cqplug.Problem("toy", t_final=math.pi, save_dt=math.pi / 4)
    common = dict(bins=20, hist_range={"q": (-5.0, 5.0)})
    exact = cqplug.solve(problem, "lindblad", **common).histograms["q"]
    cq = cqplug.solve(problem, "cq", trajectories=args.trajectories, seed=1, **common).histograms["q"]
    mf = cqplug.solve(problem, "mean-field", trajectories=args.trajectories, seed=1, **common).histograms["q"]
    centres = 0.5 * (exact["edges"][1:] + exact["edges"][:-1])
    print(f"P(q) at t = pi, bin width {exact['edges'][1] - exact['edges'][0]:.2f}")
    print(f"{'q':>6} {'exact':>8} {'CQ':>8} {'mean-field':>11}")
    for c, e, q, m in zip(centres, exact["probability"][-1], cq["probability"][-1], mf["probability"][-1]):
        print(f"{c:>6.2f} {e:>8.4f} {q:>8.4f} {m:>11.4f}  {'#' * int(200 * e)}")
    n = cq["trajectories"]
    keep = exact["probability"][-1] > 1e-4
    p = exact["probability"][-1][keep]
    z_cq = (cq["probability"][-1][keep] - p) / np.sqrt(p * (1 - p) / n)
    z_mf = (mf["probability"][-1][keep] - p) / np.sqrt(p * (1 - p) / n)
    print(f"max |z| against the exact distribution: CQ {np.abs(z_cq).max():.1f}, mean-field {np.abs(z_mf).max():.1f}")


if __name__ == "__main__":
    main()
