"""Where the trade-off 16 gamma_c gamma_q >= lam^2 comes from: below it, the exact state stops
being a positive CQ state.

    python examples/positivity_boundary.py [--quick] [--output positivity_boundary.png]

Toy model (delta = 0, gamma_c = 0.25, oscillator ground state, qubit |+>), solved exactly with
QuTiP for several ratios 16 gamma_c gamma_q / lam^2 (lam = 1). At each saved time the partial
Wigner transform W(q, p) over the oscillator (cqplug.analysis.wigner) is a 2 x 2 matrix at every
phase-space point; the figure shows its smallest eigenvalue over a grid, relative to the
largest. It goes negative only below the threshold, where no CQ description exists. (The
trade-off guarantees positivity for every initial state; just below it, this particular
Gaussian state can stay positive over the time shown, as the 0.5 curve does.)
"""

import numpy as np
from _common import check, figure, parser, save

import cqplug
from cqplug.analysis.wigner import partial_wigner, relative_lowest_eigenvalue
from cqplug.registry import get_registry

NUMERICAL_FLOOR = 1e-6  # truncation and quadrature error of the exact states (tolerance 1e-5)


def main():
    args = parser(__doc__, "positivity_boundary.png").parse_args()
    ratios = [0.25, 1.0, 2.0] if args.quick else [0.0, 0.1, 0.25, 0.5, 1.0, 2.0]
    grid = np.linspace(-6, 6, 49 if args.quick else 97)
    reference = get_registry().create("methods", "lindblad")
    gamma_c, lam = 0.25, 1.0
    fig = figure(figsize=(11, 4.5))
    left, right = fig.subplots(1, 2, width_ratios=[1.4, 1])
    worst = None
    lowest = {}
    for ratio in ratios:
        problem = cqplug.Problem("toy", {"gamma_c": gamma_c, "gamma_q": ratio * lam**2 / (16 * gamma_c)}, t_final=3.0,
                                 save_dt=0.125 if not args.quick else 0.25, require_cq=False)
        rho, N, scale = reference.states(problem, tolerance=1e-5)
        W = partial_wigner(rho, N, 2, grid, grid, scale)
        relative = relative_lowest_eigenvalue(W)
        lowest[ratio] = relative.min()
        print(f"ratio {ratio:4.2f}: N = {N}, min over t of (lowest / largest eigenvalue of W) = {relative.min():+.3e}")
        left.plot(problem.times, relative, marker="o", ms=3, label=f"16γ_cγ_q/λ² = {ratio:g}")
        if ratio < 1 and (worst is None or relative.min() < worst[0]):
            i = int(np.argmin(relative))
            worst = (relative.min(), ratio, problem.times[i], np.linalg.eigvalsh(W[i])[..., 0])
    left.axhline(0, color="k", lw=0.8)
    left.set_xlabel("t  (1/ω)")
    left.set_ylabel("min eigenvalue of W(q, p) / max")
    left.set_title("partial Wigner state of the exact dynamics", fontsize="medium")
    left.legend(fontsize="small")
    left.grid(alpha=0.3)
    _, ratio, t, field = worst
    limit = np.abs(field).max()
    image = right.pcolormesh(grid, grid, field.T, cmap="RdBu_r", vmin=-limit, vmax=limit, shading="nearest")
    fig.colorbar(image, ax=right, label="lowest eigenvalue of W(q, p)")
    right.set_xlabel("q")
    right.set_ylabel("p")
    right.set_title(f"ratio {ratio:g}, t = {t:.2f}: blue = negative", fontsize="medium")
    save(fig, args.output)
    print(f"wrote {args.output}")

    for ratio, value in lowest.items():
        if ratio >= 1:
            check(value > -NUMERICAL_FLOOR, f"ratio {ratio:g} >= 1: W(q, p) stays positive ({value:+.1e})")
    check(min(v for r, v in lowest.items() if r < 1) < -1e-2, "below the threshold W(q, p) goes negative")


if __name__ == "__main__":
    main()
