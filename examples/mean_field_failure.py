"""Mean-field fails because C and Q entangle; CQ trajectories with the minimal decoherence do not.

    python examples/mean_field_failure.py [--quick] [--output mean_field_failure.png]

Toy model (m = omega = lam = 1), oscillator in its ground state, qubit in |+>, for delta = 0 and
delta = 1, closed (no decoherence) and open (gamma_c = 0.25 and gamma_q at or above the
trade-off). Columns: the qubit's linear entropy 1 - Tr rho_Q^2 (closed: its entanglement with the
oscillator), <q^2> and <sigma_x>, exact (QuTiP) against mean-field and, where the dynamics is a
valid CQ one, CQ trajectories. Mean-field's qubit (on every trajectory) stays pure and its oscillator never
spreads into two branches; CQ reproduces the exact open curves within their standard errors.
"""

import math

import numpy as np
from _common import check, figure, parser, save

import cqplug

CASES = {  # label: (parameters, open?)
    "closed, δ = 0": ({"delta": 0.0, "gamma_c": 0.0, "gamma_q": 0.0}, False),
    "closed, δ = 1": ({"delta": 1.0, "gamma_c": 0.0, "gamma_q": 0.0}, False),
    "open (saturated), δ = 0": ({"delta": 0.0}, True),
    "open (γ_q = 2× min), δ = 1": ({"delta": 1.0, "gamma_q": 0.5}, True),
}


def linear_entropy(result):
    """1 - Tr rho_Q^2 = (1 - |<sigma>|^2) / 2 of the ensemble-averaged qubit state."""
    r2 = sum(result.mean(k) ** 2 for k in ("sx", "sy", "sz"))
    return 0.5 * (1.0 - r2)


def trajectory_entropy(result):
    """The same for the qubit state each trajectory carries (largest over the stored sample
    paths): mean-field's measure of entanglement with C, which is zero in closed dynamics."""
    r2 = sum(result.sample_paths[k] ** 2 for k in ("sx", "sy", "sz"))
    return (0.5 * (1.0 - r2)).max(axis=0)


def main():
    args = parser(__doc__, "mean_field_failure.png").parse_args()
    n_cq, n_mf = (4_000, 1_000) if args.quick else (40_000, 5_000)
    fig = figure(figsize=(12, 11))
    axes = fig.subplots(len(CASES), 3, squeeze=False)
    for row, (label, (params, is_open)) in enumerate(CASES.items()):
        problem = cqplug.Problem("toy", params, t_final=2 * math.pi, save_dt=math.pi / 16, require_cq=False)
        exact = cqplug.solve(problem, "lindblad", tolerance=1e-5)
        mf = cqplug.solve(problem, "mean-field", trajectories=n_mf, seed=1, progress=False)
        cq = cqplug.solve(problem, "cq", trajectories=n_cq, seed=2, progress=False) if is_open else None
        t = problem.times
        print(
            f"{label}: max linear entropy exact {linear_entropy(exact).max():.3f}, "
            f"mean-field trajectories {trajectory_entropy(mf).max():.3f}; "
            f"final <q^2> exact {exact.mean('q2')[-1]:.3f}, "
            f"mean-field {mf.mean('q2')[-1]:.3f}" + (f", CQ {cq.mean('q2')[-1]:.3f}" if cq else "")
        )
        for ax, what in zip(axes[row], ("entropy", "q2", "sx")):
            get = linear_entropy if what == "entropy" else (lambda r, w=what: r.mean(w))
            ax.plot(t, get(exact), "k-", lw=2, label="exact (QuTiP)")
            ax.plot(t, trajectory_entropy(mf) if what == "entropy" else get(mf), "C3--", lw=1.5, label="mean-field")
            if cq is not None:
                mean = get(cq)
                ax.plot(t, mean, "C0:", lw=1.8, label="CQ trajectories")
                if what != "entropy":
                    err = cq.stderr(what)
                    ax.fill_between(t, mean - 2 * err, mean + 2 * err, color="C0", alpha=0.25, lw=0)
            ax.set_xlabel("t  (1/ω)")
            ax.grid(alpha=0.3)
        axes[row][1].set_title(label, fontsize="medium")
        axes[row][0].set_ylabel("1 − Tr ρ_Q²")
        axes[row][1].set_ylabel("⟨q²⟩")
        axes[row][2].set_ylabel("⟨σ_x⟩")
        if row == 0 or row == 2:
            axes[row][0].legend(fontsize="small", loc="lower right")
        if params["delta"] == 0.0 and not is_open:
            check(
                linear_entropy(exact).max() > 0.45,
                "closed, δ = 0: the qubit becomes maximally entangled (1 − Tr ρ² → 1/2)",
            )
            check(trajectory_entropy(mf).max() < 1e-6, "closed, δ = 0: mean-field's qubit stays pure (no entanglement)")
        if is_open:
            z_cq = max(np.abs((cq.mean(k) - exact.mean(k))[1:] / cq.stderr(k)[1:]).max() for k in ("q2", "sx", "qsz"))
            z_mf = np.abs((mf.mean("q2") - exact.mean("q2"))[1:] / mf.stderr("q2")[1:]).max()
            print(f"  max |z| against exact: CQ {z_cq:.1f} (q2, sx, qsz); mean-field {z_mf:.0f} (q2)")
            check(z_cq < 4.5, f"{label}: CQ agrees with the exact dynamics (max |z| < 4.5)")
            check(z_mf > 10, f"{label}: mean-field misses the branching of <q^2> (|z| > 10)")
    fig.suptitle("Toy model, oscillator ground state ⊗ |+⟩: exact vs mean-field vs CQ (λ = 1)")
    save(fig, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
