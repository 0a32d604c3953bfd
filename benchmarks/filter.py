"""Speed of the hybrid filter beside the simulation that produced its records, in the same run.

    python benchmarks/filter.py [--t-final 10] [--paths 4]

For a few built-in models with commuting couplings (the toy, Stern–Gerlach, two qubits mediated by an
oscillator, a 100-mode spin-boson bath): one ensemble of 512 trajectories with ``record=True`` on one
worker (its kernel compiled beforehand), then ``cqplug.filter`` on each recorded path. Prints the
filter's steps per second (one path at a time, NumPy), the kernel's trajectory-steps per second (the
reference: the same step, compiled, 512 lanes), the time of one point of a likelihood profile, and the
largest difference between the filtered and the simulated conditioned values (round-off expected).
"""

import argparse
import time

import numpy as np

import cqplug

# (model, parameters, the parameter a likelihood-profile point changes)
MODELS = [("toy", {}, "gamma_q"), ("stern-gerlach", {"gamma_q": 1.0}, "gamma_q"),
          ("mediated-qubits", {}, "gamma_q"), ("spin-boson", {}, "decoherence")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--t-final", type=float, default=10.0)
    ap.add_argument("--paths", type=int, default=4)
    args = ap.parse_args()
    print(f"{'model':>16} {'d':>2} {'2n':>4} {'dt':>8} {'steps':>6} {'filter steps/s':>15} "
          f"{'kernel traj-steps/s':>20} {'profile point (s)':>18} {'max |difference|':>17}")
    for name, params, scanned in MODELS:
        problem = cqplug.Problem(name, params, t_final=args.t_final)
        options = dict(trajectories=512, seed=1, n_paths=args.paths, record=True, workers=1, progress=False)
        cqplug.solve(problem, "cq", **options)  # compiles (or loads) the kernel: not timed below
        result = cqplug.solve(problem, "cq", **options)
        records = result.records
        steps = len(records[0].times) - 1
        kernel_rate = result.info.trajectories * steps / result.info.run_seconds
        started = time.perf_counter()
        filtered = [cqplug.filter(problem, r.times, r.z) for r in records]
        filter_rate = len(records) * steps / (time.perf_counter() - started)
        started = time.perf_counter()
        cqplug.likelihood_profile(problem, {scanned: [problem.params[scanned] * 1.1]}, records[0].times,
                                  records[0].z)
        point = time.perf_counter() - started
        saved = np.searchsorted(records[0].times, result.times - 1e-9)
        worst = max(float(np.abs(f.mean(k)[saved] - result.sample_paths[k][i]).max())
                    for i, f in enumerate(filtered) for k in f.conditioned)
        print(f"{name:>16} {problem.model.d:>2} {2 * problem.model.n:>4} {result.info.dt:>8.4g} {steps:>6} "
              f"{filter_rate:>15.3g} {kernel_rate:>20.3g} {point:>18.3f} {worst:>17.1e}")


if __name__ == "__main__":
    main()
