"""Cost of CQ trajectories against the exact reference as the oscillator's amplitude grows.

    python benchmarks/cost_vs_amplitude.py [--amplitudes 1 4 8 16]

Toy model (defaults, delta = 1) started in a coherent state at q0. Goal: <q^2> and <sigma_x>
at t = 5 to 1 %: for ``lindblad`` the automatic truncation with tolerance 1e-3; for ``cq``
enough trajectories that two standard errors are below 1 % of <q^2> and below 0.01 for
<sigma_x> (sized from a 2,000-trajectory pilot; the pilot's time is included). The reference's
cost grows with the Fock space needed (~q0^2 states); the trajectories' does not.
"""

import argparse
import time

import cqplug


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--amplitudes", type=float, nargs="+", default=[1, 4, 8, 16])
    ap.add_argument("--dt", type=float, default=2e-3)
    args = ap.parse_args()
    print(f"{'q0':>4} {'N Fock':>7} {'lindblad s':>10} {'cq trajectories':>15} {'cq s':>6} "
          f"{'q2 exact':>9} {'q2 cq':>17} {'sx exact':>9} {'sx cq':>17}")
    for q0 in args.amplitudes:
        problem = cqplug.Problem("toy", {"q0": q0, "delta": 1.0}, t_final=5.0, save_dt=0.5)
        start = time.perf_counter()
        exact = cqplug.solve(problem, "lindblad", tolerance=1e-3)
        t_ref = time.perf_counter() - start
        cqplug.solve(problem, "cq", trajectories=500, seed=0, dt=args.dt)  # compile outside the timing
        start = time.perf_counter()
        pilot = cqplug.solve(problem, "cq", trajectories=2000, seed=1, dt=args.dt)
        var_q2 = pilot.stderr("q2")[-1] ** 2 * 2000
        var_sx = pilot.stderr("sx")[-1] ** 2 * 2000
        need = max(var_q2 / (0.005 * pilot.mean("q2")[-1]) ** 2, var_sx / 0.005**2, 2000)
        result = cqplug.solve(problem, "cq", trajectories=int(need) + 1, seed=2, dt=args.dt)
        t_cq = time.perf_counter() - start
        fmt = "{:>8.4f} ± {:<6.4f}"
        truncation = exact.info.details["truncation"]
        print(f"{q0:>4g} {truncation:>7} {t_ref:>10.1f} {result.info.trajectories:>15} {t_cq:>6.1f} "
              f"{exact.mean('q2')[-1]:>9.4f} {fmt.format(result.mean('q2')[-1], result.stderr('q2')[-1])} "
              f"{exact.mean('sx')[-1]:>9.4f} {fmt.format(result.mean('sx')[-1], result.stderr('sx')[-1])}")


if __name__ == "__main__":
    main()
