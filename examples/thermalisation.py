"""The toy model in a real environment: its oscillator thermalises, its qubit decays.

    python examples/thermalisation.py [--quick] [--output thermalisation.png]

Toy model (lam = 0.8, delta = 1, gamma_c = 0.2, gamma_q = 0.3) with two environments from the
built-in channels: the qubit decays to sigma_z = -1 (``amplitude-damping``, kappa = 0.5) and the
oscillator (m = 0.8, omega = 1.3) sits in a thermal bath (``thermal-oscillator``, Gamma = 0.4,
n = 0.5), which damps it and would alone bring it to the Gibbs state. The oscillator starts displaced
(q0 = 1), the qubit in sigma_z = +1. Panels: <q>, <q^2> and <sigma_z>, exact (QuTiP) against CQ
trajectories and mean-field. CQ follows the exact curves within its standard errors; mean-field follows
<q> for a while but, with no diffusion from the bath or the coupling, cools the oscillator far below
the bath while the true one heats above it.
"""

import sys
from pathlib import Path

import numpy as np
from _common import check, figure, parser, save

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cqplug  # noqa: E402
from tests.models import toy_in_environment  # noqa: E402 - the model the tests check too


def main():
    args = parser(__doc__, "thermalisation.png").parse_args()
    n_cq, n_mf = (20_000, 2_000) if args.quick else (200_000, 20_000)
    problem = cqplug.Problem(toy_in_environment(), t_final=8.0, save_dt=0.2)
    exact = cqplug.solve(problem, "lindblad", progress=False)
    cq = cqplug.solve(problem, "cq", trajectories=n_cq, seed=1, progress=False)
    mf = cqplug.solve(problem, "mean-field", trajectories=n_mf, seed=2, progress=False)
    t, (m, omega, n) = problem.times, (problem.params["m"], problem.params["omega"], 0.5)
    gibbs = (n + 0.5) / (m * omega)
    fig = figure(figsize=(12, 3.8))
    axes = fig.subplots(1, 3)
    for ax, (name, label) in zip(axes, (("q", "⟨q⟩"), ("q2", "⟨q²⟩"), ("sz", "⟨σ_z⟩"))):
        ax.plot(t, exact.mean(name), "k-", lw=2, label="exact (QuTiP)")
        ax.plot(t, mf.mean(name), "C3--", lw=1.5, label="mean-field")
        mean, err = cq.mean(name), cq.stderr(name)
        ax.plot(t, mean, "C0:", lw=1.8, label="CQ trajectories")
        ax.fill_between(t, mean - 2 * err, mean + 2 * err, color="C0", alpha=0.25, lw=0)
        ax.set_xlabel("t")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[1].axhline(gibbs, color="0.5", lw=1, ls="-.", label="bath alone: (n̄ + ½)/(mω)")
    axes[0].legend(fontsize="small")
    axes[1].legend(fontsize="small")
    fig.suptitle("Toy model with a decaying qubit in a thermal oscillator bath")
    z = {k: np.abs((cq.mean(k) - exact.mean(k))[1:] / cq.stderr(k)[1:]).max() for k in ("q", "q2", "sz")}
    print(f"max |z| of CQ against exact: {', '.join(f'{k} {v:.1f}' for k, v in z.items())}")
    print(f"final <q^2>: exact {exact.mean('q2')[-1]:.3f}, CQ {cq.mean('q2')[-1]:.3f}, "
          f"mean-field {mf.mean('q2')[-1]:.3f}; <sigma_z>: exact {exact.mean('sz')[-1]:.3f}")
    check(max(z.values()) < 4.5, "CQ trajectories agree with the exact open dynamics (max |z| < 4.5)")
    check(exact.mean("sz")[0] - exact.mean("sz")[-1] > 1.0, "the qubit decays (<sigma_z> falls by more than 1)")
    check(exact.mean("q2")[-1] > gibbs and mf.mean("q2")[-1] < 0.9 * exact.mean("q2")[-1],
          "the coupling heats the oscillator above the bath; mean-field, without diffusion, cools it below")
    save(fig, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
