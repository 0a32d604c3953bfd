"""Per-step cost of cqplug's CQ trajectories beside QuTiP's stochastic master equation solver.

    python benchmarks/smesolve.py [--steps 1000] [--qutip-trajectories 100] [--trajectories 200000]

The same kind of work, in the same run: a qubit under H = (delta/2) sigma_x whose sigma_z is
continuously measured (homodyne, rate k), i.e. the stochastic master equation
drho = -i[H, rho] dt + D[sqrt(k) sz] rho dt + sqrt(k) (sz rho + rho sz - 2 <sz> rho) dW, with
QuTiP's ``smesolve`` (its default solver, fixed dt, one process); and cqplug's ``cq`` unravelling
of the toy model with delta = 1, whose quantum state obeys this equation conditioned on the
oscillator's record, plus an oscillator and the coarse grid of the step-error estimate (one
worker). Both on ``--steps`` steps of dt = 1e-3. Printed: trajectory-steps per second of each and
their ratio (issue 12's target: >= 100x).
"""

import argparse
import time

import numpy as np

import cqplug


def qutip_rate(steps: int, trajectories: int) -> float:
    import qutip

    sx, sz = qutip.sigmax(), qutip.sigmaz()
    rho0 = qutip.ket2dm((qutip.basis(2, 0) + qutip.basis(2, 1)).unit())
    times = np.linspace(0.0, steps * 1e-3, 11)
    options = {"dt": 1e-3, "progress_bar": False, "store_measurement": False}
    qutip.smesolve(0.5 * sx, rho0, times[:2], sc_ops=[np.sqrt(0.5) * sz], e_ops=[sx], ntraj=2, options=options)
    start = time.perf_counter()
    qutip.smesolve(0.5 * sx, rho0, times, sc_ops=[np.sqrt(0.5) * sz], e_ops=[sx], ntraj=trajectories,
                   options=options)
    return trajectories * steps / (time.perf_counter() - start)


def cqplug_rate(steps: int, trajectories: int) -> float:
    problem = cqplug.Problem("toy", {"delta": 1.0}, t_final=steps * 1e-3, save_dt=steps * 1e-4)
    cqplug.solve(problem, "cq", trajectories=512, seed=0, dt=1e-3, workers=1, progress=False)  # compile
    result = cqplug.solve(problem, "cq", trajectories=trajectories, seed=1, dt=1e-3, workers=1, progress=False)
    return trajectories * steps / result.info.run_seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--qutip-trajectories", type=int, default=100)
    ap.add_argument("--trajectories", type=int, default=200_000)
    args = ap.parse_args()
    theirs = qutip_rate(args.steps, args.qutip_trajectories)
    ours = cqplug_rate(args.steps, args.trajectories)
    print(f"{args.steps} steps of dt = 1e-3, one core each")
    print(f"QuTiP smesolve (qubit SME, {args.qutip_trajectories} trajectories): {theirs:10.3g} trajectory-steps/s")
    print(f"cqplug cq (toy: qubit + oscillator, step-error grid on): {ours:10.3g} trajectory-steps/s")
    print(f"per-step ratio cqplug / QuTiP: {ours / theirs:.0f}x")


if __name__ == "__main__":
    main()
