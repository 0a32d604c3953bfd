"""What a CQ trajectory looks like: the oscillator picks a branch and the qubit's conditioned
state follows it to sigma_z = +-1, while the ensemble reproduces the exact mean.

    python examples/cq_trajectories.py [--quick] [--output cq_trajectories.png]

Toy model at the minimal decoherence (16 gamma_c gamma_q = lam^2), delta = 0, oscillator in its
ground state, qubit in |+>. Top: sample paths q_t coloured by the outcome, the exact branch
centres -+lam (1 - cos t) (dotted), and the ensemble mean with its standard-error band over
the exact <q> = 0. Bottom: each path's conditioned <sigma_z>_t.
"""

import math

import numpy as np
from _common import check, figure, parser, save

import cqplug

PATHS = 8


def main():
    args = parser(__doc__, "cq_trajectories.png").parse_args()
    trajectories = 2_000 if args.quick else 20_000
    problem = cqplug.Problem("toy", t_final=2 * math.pi, save_dt=math.pi / 64)
    result = cqplug.solve(problem, "cq", trajectories=trajectories, seed=7, n_paths=PATHS, progress=False)
    exact = cqplug.solve(problem, "lindblad", tolerance=1e-5)
    t, q, sz = result.times, result.sample_paths["q"], result.sample_paths["sz"]
    lam = problem.params["lam"]
    fig = figure(figsize=(9, 7))
    top, bottom = fig.subplots(2, 1, sharex=True)
    for k in range(PATHS):
        colour = "C0" if sz[k, -1] > 0 else "C3"
        top.plot(t, q[k], color=colour, lw=0.9, alpha=0.8)
        bottom.plot(t, sz[k], color=colour, lw=0.9, alpha=0.8)
    for s in (+1, -1):
        top.plot(t, -s * lam * (1 - np.cos(t)), "k:", lw=1.2, label="branch centres ∓λ(1 − cos t)" if s > 0 else None)
    mean, err = result.mean("q"), result.stderr("q")
    top.fill_between(t, mean - 2 * err, mean + 2 * err, color="0.5", alpha=0.4, lw=0, label="ensemble ⟨q⟩ ± 2 s.e.")
    top.plot(t, exact.mean("q"), "k-", lw=1.5, label="exact ⟨q⟩")
    top.set_ylabel("q_t")
    top.legend(fontsize="small", loc="upper left", ncols=3)
    bottom.set_ylabel("conditioned ⟨σ_z⟩_t")
    bottom.set_xlabel("t  (1/ω)")
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    fig.suptitle(f"CQ trajectories of the toy model ({PATHS} of {trajectories}; blue: σ_z → +1, red: σ_z → −1)")
    save(fig, args.output)
    print(f"wrote {args.output}")

    final = sz[:, -1]
    print("conditioned <sigma_z> at t = 2 pi on the sample paths:", np.round(final, 3))
    i = int(np.argmin(np.abs(t - math.pi)))
    agree = np.mean(np.sign(q[:, i]) == -np.sign(final))
    print(f"paths on the branch of their outcome at t = pi: {agree:.0%}")
    z = np.abs((result.mean("q") - exact.mean("q"))[1:] / result.stderr("q")[1:]).max()
    check(np.all(np.abs(final) > 0.95), "every conditioned qubit state ends at sigma_z = +-1 (|<sigma_z>| > 0.95)")
    check(agree >= 0.75, "the oscillator sits on the branch of its qubit's outcome at t = pi (q sigma_z < 0)")
    check(z < 4.5, f"the ensemble mean <q> agrees with the exact one (max |z| = {z:.1f})")


if __name__ == "__main__":
    main()
